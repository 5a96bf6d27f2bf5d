"""What the kb plugin adds to MkDocs' config: Markdown extensions (Obsidian syntax, heading anchors, mermaid),
the chrome's options."""
from __future__ import annotations

from typing import Any

from kbsync.paths import heading_anchor

from .config import markdown_extensions


def _mermaid_format(source, language, css_class, options, md, **kwargs):  # noqa: ANN001 (pymdownx signature)
    from pymdownx.superfences import fence_code_format

    return fence_code_format(source, language, css_class, options, md, **kwargs)  # `pre.mermaid`: Material renders it


def toc_slugify(value: str, separator: str) -> str:
    """MkDocs' toc `slugify`: the core's heading anchor rule, so `[[X#Heading]]` and ids agree."""
    return heading_anchor(value, separator)


def configure_markdown(config: Any, strict_line_breaks: bool) -> None:
    """Add kb's extensions to `config` (the site owner's own options win), toc anchors and mermaid fences."""
    for name, options in markdown_extensions(config.docs_dir, strict_line_breaks).items():
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
        merged = {**options, **config.mdx_configs.get(name, {})}
        if merged:
            config.mdx_configs[name] = merged
    config.mdx_configs.setdefault("toc", {})["slugify"] = toc_slugify
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    if not any(f.get("name") == "mermaid" for f in fences):
        fences.append({"name": "mermaid", "class": "mermaid", "format": _mermaid_format})


def chrome_options(options: Any) -> dict[str, Any]:
    """What kb-chrome.js reads from the page (via main.html): which parts of the chrome are on."""
    return {"explorer": options.explorer, "previews": options.previews,
            "right": list(options.right_column), "reader": options.reader_mode}
