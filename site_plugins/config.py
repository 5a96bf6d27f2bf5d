"""Plugin options, the default site config for a bare content dir, and `build_site` for `kb build`."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

log = logging.getLogger("mkdocs.plugins.kb")


class KbConfig(Config):
    """Options of the `kb` MkDocs plugin (documented in site_plugins/OPTIONS.md)."""

    store_url = c.Optional(c.Type(str))  # default: sqlite:///<docs_dir>/../.kb/kb.sqlite
    sync = c.Type(bool, default=True)  # sync docs_dir into the store before building
    api_url = c.Optional(c.Type(str))  # search API base URL for the typeahead widget
    graph = c.Type(bool, default=True)  # graph.json, local graph on entry pages, /graph/ page
    local_graph_depth = c.Type(int, default=1)
    backlinks = c.Type(bool, default=True)
    discovery = c.Type(bool, default=True)  # keywords, topics, related, unlinked mentions, backlink context, /topics/
    metadata = c.Type(bool, default=True)  # type/tags/aliases/dates/fields panel on entry pages
    tag_pages = c.Type(bool, default=True)
    type_pages = c.Type(bool, default=True)
    table_rows = c.Type(int, default=100)  # rows of a type/tag table in its HTML and per page; the rest as JSON
    documents = c.Type(bool, default=True)  # chapter prev/next and document table of contents
    home = c.Type(bool, default=True)  # generated home page at / (when content has no root index.md)
    nav = c.Choice(("compact", "folders", "keep"), default="compact")
    markdown = c.Type(bool, default=True)  # configure the Markdown extensions the vault syntax needs
    compact_theme = c.Type(bool, default=True)  # dense CSS + overrides
    incremental = c.Type(bool, default=True)  # dirty builds re-render only pages whose inputs changed
    parallel = c.Type(int, default=0)  # processes rendering pages (0: one per core; 1: none forked)
    embed_depth = c.Type(int, default=4)
    vendor_assets = c.Type(bool, default=True)  # offline KaTeX + Mermaid, loaded by the pages that use them
    broken_links = c.Choice(("warn", "info", "ignore"), default="warn")
    public_assets = c.ListOfItems(c.Type(str), default=[])  # docs_dir folders always published (e.g. "assets/")
    exclude = c.ListOfItems(c.Type(str), default=[])  # globs of entry paths kept off the site (plus templates)
    strict_line_breaks = c.Optional(c.Type(bool))  # default: the vault's .obsidian/app.json, else Obsidian's (false)
    # the site's chrome (site_plugins/explorer.py, previews.py, home.py; assets/kb-chrome.js)
    explorer = c.Type(bool, default=True)  # explorer.json + folder tree in the left sidebar and on the home page
    previews = c.Type(bool, default=True)  # kb-preview.json beside each entry page; popover on hovering a link
    breadcrumbs = c.Type(bool, default=True)
    reader_mode = c.Type(bool, default=True)  # header button hiding both sidebars (remembered)
    right_column = c.ListOfItems(c.Choice(("metadata", "backlinks", "graph")), default=["backlinks", "graph"])
    home_broken_links = c.Type(bool, default=False)  # broken link count on the home page (the owner's build)


# Light and dark schemes with Material's toggle (icons are inline SVG: no request); the first follows the OS.
PALETTE = [
    {"media": "(prefers-color-scheme: light)", "scheme": "default", "primary": "indigo",
     "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"}},
    {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "indigo",
     "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"}},
]

MARKDOWN_EXTENSIONS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": False},  # slugify is set by the plugin to kbsync.paths.heading_anchor
    "tables": {},
    "footnotes": {},
    "site_plugins.markdown.footnotes": {},  # ^[inline] footnotes
    "attr_list": {},
    "admonition": {},
    "pymdownx.details": {},
    "pymdownx.mark": {},
    "site_plugins.markdown.tasks": {},  # every Obsidian task state; before pymdownx.tasklist
    "pymdownx.tasklist": {"custom_checkbox": True},
    "pymdownx.arithmatex": {"generic": True},
    "pymdownx.superfences": {},  # mermaid fence added by the plugin (needs a callable)
    "site_plugins.markdown.obsidian": {},
    "site_plugins.markdown.blockrefs": {},  # `^id` markers → element ids
}


def markdown_extensions(docs_dir: str | Path, strict_line_breaks: bool | None = None) -> dict[str, dict[str, Any]]:
    """The extensions (with options) a vault needs; `nl2br` unless line breaks are strict (option, else vault)."""
    from .vault import read_vault

    strict = read_vault(docs_dir).strict_line_breaks if strict_line_breaks is None else strict_line_breaks
    return MARKDOWN_EXTENSIONS if strict else {**MARKDOWN_EXTENSIONS, "nl2br": {}}


def default_config(content_dir: str | Path, *, site_dir: str | Path | None = None,
                   store_url: str | None = None, site_name: str | None = None) -> dict[str, Any]:
    """A complete mkdocs config dict for a content dir that has no mkdocs.yml (used by `kb build`)."""
    content = Path(content_dir).resolve()
    kb: dict[str, Any] = {}
    if store_url:
        kb["store_url"] = store_url
    return {
        "site_name": site_name or (content.parent.name if content.name == "content" else content.name),
        "docs_dir": str(content),
        "site_dir": str(Path(site_dir).resolve()) if site_dir else str(content.parent / "site"),
        "use_directory_urls": True,
        "theme": {"name": "material", "features": ["navigation.prune", "navigation.top", "toc.follow",
                                                   "search.suggest", "content.code.copy"],
                  "palette": PALETTE,
                  "font": False},  # system fonts: no Google Fonts request, the site works offline
        "plugins": ["search", {"kb": kb}],
        "exclude_docs": ".*\n/_templates/\n",
        "validation": {"nav": {"omitted_files": "ignore", "not_found": "warn"},
                       "links": {"not_found": "warn", "absolute_links": "ignore", "unrecognized_links": "ignore"}},
    }


def load(content_dir: str | Path, out_dir: str | Path | None = None, *, store_url: str | None = None,
         mkdocs_yml: str | Path | None = None, strict: bool = False, **plugin_options: Any):
    """Load a MkDocsConfig: from mkdocs_yml when given, else `default_config(content_dir)`."""
    import yaml
    from mkdocs.config import load_config

    if mkdocs_yml:
        overrides: dict[str, Any] = {"strict": strict}
        if out_dir:
            overrides["site_dir"] = str(Path(out_dir).resolve())
        cfg = load_config(str(mkdocs_yml), **overrides)
        if store_url or plugin_options:
            kb = cfg.plugins.get("kb")
            if kb is not None:
                if store_url:
                    kb.config.store_url = store_url
                for k, v in plugin_options.items():
                    kb.config[k] = v
        return cfg
    data = default_config(content_dir, site_dir=out_dir, store_url=store_url)
    data["plugins"][1]["kb"].update(plugin_options)
    data["strict"] = strict
    import io

    stream = io.StringIO(yaml.safe_dump(data, allow_unicode=True))
    stream.name = str(Path(content_dir).resolve().parent / "mkdocs.yml")  # config_file_path for relative paths
    return load_config(stream)


def build_site(content_dir: str | Path, out_dir: str | Path | None = None, store_url: str | None = None,
               mkdocs_yml: str | Path | None = None, *, strict: bool = False, incremental: bool = False,
               **plugin_options: Any) -> float:
    """Sync `content_dir` into the store and build the site into `out_dir`; returns seconds taken.

    `incremental=True` keeps the previous output and re-renders only pages whose inputs changed
    (MkDocs' dirty build, with the plugin deciding precisely which pages are modified).
    """
    from mkdocs.commands.build import build

    from kbsync.gcpause import keep_heap, release_heap

    t0 = time.perf_counter()
    release_heap()  # the last build's state, kept below, is replaced by this one's
    cfg = load(content_dir, out_dir, store_url=store_url, mkdocs_yml=mkdocs_yml, strict=strict, **plugin_options)
    cfg.plugins.on_startup(command="build", dirty=incremental)
    try:
        build(cfg, dirty=incremental and Path(cfg.site_dir, "index.html").exists())
    finally:
        cfg.plugins.on_shutdown()
    if incremental:  # kept for the follow-ups of edits (kb serve): out of the collector's full passes
        keep_heap()
    return time.perf_counter() - t0
