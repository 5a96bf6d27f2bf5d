"""Offline math and diagrams: vendored KaTeX and Mermaid copied into the site and loaded by pages that use them."""
from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

from .index import relative

VENDOR = Path(__file__).resolve().parent / "assets" / "vendor"
PREFIX = "assets/kb/"
KATEX_CSS = "vendor/katex/katex.min.css"
KATEX_JS = ["vendor/katex/katex.min.js", "kb-math.js"]
MERMAID_JS = ["vendor/mermaid/mermaid.min.js"]  # Material renders `pre.mermaid` with a global `mermaid` if defined


class VendorAssets:
    """Adds the vendored files to the site and the script/style tags to pages with math or Mermaid."""

    def __init__(self, site_wide: bool = False) -> None:
        self.site_wide = site_wide  # `navigation.instant`: pages are swapped in place, so load everywhere

    def files(self, config) -> list[File]:  # noqa: ANN001
        out = [File.generated(config, PREFIX + "kb-math.js", abs_src_path=str(VENDOR.parent / "kb-math.js"))]
        for path in sorted(VENDOR.rglob("*")):
            if path.is_file() and (path.suffix in (".js", ".css", ".woff2") or path.name == "LICENSE"):
                rel = path.relative_to(VENDOR.parent).as_posix()
                out.append(File.generated(config, PREFIX + rel, abs_src_path=str(path)))
        return out

    def configure(self, config) -> None:  # noqa: ANN001
        """Site-wide, deferred: only when pages are swapped in place by Material's instant navigation."""
        if not self.site_wide:
            return
        if PREFIX + KATEX_CSS not in [str(x) for x in config.extra_css]:
            config.extra_css.append(PREFIX + KATEX_CSS)
        present = {str(x) for x in config.extra_javascript}
        for name in [*MERMAID_JS, *KATEX_JS]:
            if PREFIX + name not in present:
                config.extra_javascript.append(_deferred(PREFIX + name))

    def inject(self, html: str, page_url: str) -> str:
        """Add KaTeX to pages with `.arithmatex`, Mermaid to pages with `pre.mermaid` (deferred, in <head>)."""
        if self.site_wide:
            return html
        tags = []
        if 'class="arithmatex"' in html:
            tags.append(f'<link rel="stylesheet" href="{relative(PREFIX + KATEX_CSS, page_url)}">')
            tags += [f'<script defer src="{relative(PREFIX + n, page_url)}"></script>' for n in KATEX_JS]
        if 'class="mermaid"' in html:
            tags += [f'<script defer src="{relative(PREFIX + n, page_url)}"></script>' for n in MERMAID_JS]
        if not tags:
            return html
        head = html.find("</head>")
        return html[:head] + "".join(tags) + html[head:] if head >= 0 else html


def _deferred(path: str):  # noqa: ANN202
    from mkdocs.config.config_options import ExtraScriptValue

    script = ExtraScriptValue(path)
    script.defer = True
    return script
