"""Pages rendered on demand while a site's first build runs: any page answers within seconds of the sync.

MkDocs writes no page before it has read every page's Markdown (28.9 s at 10,000 entries). `Renderer.prepare`
runs the same build up to the point where a page could be rendered (config, files, the plugin's `on_files`
with every record, nav, the nav pages' titles, `on_env`) and nothing more; `render(path)` then reads and
renders just that page through MkDocs' own `_populate_page`/`_build_page`, into a private folder (never the
site the build writes), and returns its bytes. Only files of that build's `Files` are answered: the plugin
already dropped hidden entries and anything outside the content folder, and a path is looked up, never joined.

Discovery (keywords, topics, related, unlinked mentions) is not computed here on a big site: its panels are
left as the markers the build's own early pages carry, so they show once the build's page replaces this one.
A small site computes discovery here (in memory, nothing saved), so its pages are the build's bytes.
"""
from __future__ import annotations

import functools
import logging
import posixpath
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .ondemand_lazy import TOKEN, LazyPage, Tables, renderer_patches
from .previews import PREVIEW_JSON

log = logging.getLogger("mkdocs.plugins.kb")
NAV_META = {"icon", "status"}  # front matter Material's nav shows beside a page's title
NOT_FOUND = "404.html"


class Renderer:
    """One site's build state, up to its first page, and the pages rendered from it so far."""

    def __init__(self, content: Path, store_url: str, mkdocs_yml: Path | None = None, **plugin_options: Any) -> None:
        self.content, self.store_url, self.yml, self.options = content, store_url, mkdocs_yml, plugin_options
        self.out = Path(tempfile.mkdtemp(prefix="kb-ondemand-"))  # a private site folder: renders land here
        self.by_path: dict[str, Any] = {}  # site-relative output path -> MkDocs File
        self.extra: dict[str, Callable[[], str]] = {}  # site-relative path -> what the build writes there at its end
        self.revision: int | None = None
        self.tables = Tables()
        self.cfg: Any = None

    def begin(self) -> None:
        """What needs no store: imports, the config, the content folder's files, the theme (before the sync ends)."""
        from mkdocs.structure.files import get_files

        from .config import load

        cfg = load(self.content, self.out, store_url=self.store_url, mkdocs_yml=self.yml,
                   **{**self.options, "sync": False, "parallel": 1})
        cfg.plugins.on_startup(command="build", dirty=False)
        cfg = cfg.plugins.on_config(cfg)
        cfg.plugins.on_pre_build(config=cfg)
        for p in cfg.plugins.values():  # no search index is written here: pages are not indexed (nor segmented)
            index = getattr(p, "search_index", None)
            if index is not None and hasattr(index, "add_entry_from_context"):
                index.add_entry_from_context = lambda page: None
        self.cfg, self.files = cfg, get_files(cfg)
        self.env = cfg.theme.get_env()
        self.files.add_files_from_theme(self.env, cfg)
        kb = cfg.plugins["kb"]
        kb._bound(self.files, cfg)  # the content boundary needs no records: checked now, not again in on_files
        kb._bound = lambda files, config: None

    def prepare(self) -> float:
        """Everything a page render needs, from the synced store; returns seconds taken."""
        from mkdocs.structure.files import set_exclusions
        from mkdocs.structure.nav import get_navigation

        from .explorer import EXPLORER_JSON, explorer_json
        from .index import typeahead_json

        t0 = time.perf_counter()
        if self.cfg is None:
            self.begin()
        cfg = self.cfg
        with renderer_patches(self.tables):
            files = cfg.plugins.on_files(self.files, config=cfg)
        set_exclusions(files, cfg)
        nav = get_navigation(files, cfg)
        nav = cfg.plugins.on_nav(nav, config=cfg, files=files)
        kb = cfg.plugins["kb"]
        self._nav_titles(kb, nav, files)
        for src, gen in list(kb.generated.items()):
            kb.generated[src] = LazyPage(gen, self.tables)
        if kb._urls is None:  # what the build's first entry page sees: every file, before attachments are chosen
            kb._urls = {f.url for f in files} | {f.dest_uri for f in files}
        made = kb._made  # the explorer's JSON (0.3 s) made when asked for, not before the first page
        kb._made = lambda part, make: None if part == "explorer" else made(part, make)
        try:
            self.env = cfg.plugins.on_env(self.env, config=cfg, files=files)
        finally:
            del kb._made
        self.files, self.nav, self.kb = files, nav, kb
        self.docs = files.documentation_pages()
        self.by_path = {f.dest_uri: f for f in files}
        if kb.config.explorer:
            self.extra[EXPLORER_JSON] = functools.cache(lambda: made("explorer", lambda: explorer_json(kb.index)))
        if kb.index is not None:
            self.extra["typeahead.json"] = functools.cache(lambda: typeahead_json(kb.index))  # 0.3 s: when asked
        self.revision = kb.index.revision if kb.index is not None else None
        return time.perf_counter() - t0

    def _nav_titles(self, kb: Any, nav: Any, files: Any) -> None:
        """The nav pages' titles (every page's nav shows them) as the build's read loop leaves them; a page whose
        title is known without reading it (an entry's is the index's; a generated page's its own) is not read."""
        from mkdocs.commands import build as mk

        from .escaping import as_text

        for page in nav.pages:
            slug, gen = kb.entry_files.get(page.file.src_uri), kb.generated.get(page.file.src_uri)
            fields = kb.index.records[slug].get("fields") or {} if slug is not None else {}
            if slug is not None and not NAV_META & set(fields):
                as_text(page, kb.index.title(slug))
            elif gen is not None and gen.url:
                as_text(page, gen.title)
            else:
                mk._populate_page(page, self.cfg, files)

    def lookup(self, path: str) -> str | None:
        """The site-relative output path of URL path `path` (`a/`, `a/index.html`, `assets/x.css`), when this
        site has such a file; None for anything else (a `..` or `.` part, a backslash: never joined, only looked
        up)."""
        path = path.lstrip("/")
        if "\\" in path or "\x00" in path or any(p in ("..", ".") for p in path.split("/")):
            return None
        if path == "" or path.endswith("/"):
            path += "index.html"
        path = posixpath.normpath(path)
        return path if path in self.by_path or path in self.extra or path == NOT_FOUND or self._page_of(path) else None

    def _page_of(self, path: str) -> Any:
        """The page whose preview file `path` is (written as the page is read), or None."""
        head, _, name = path.rpartition("/")
        if name != PREVIEW_JSON or not self.kb.config.previews:
            return None
        f = self.by_path.get(f"{head}/index.html" if head else "index.html")
        return f if f is not None and f.src_uri in self.kb.entry_files else None

    def render(self, path: str) -> bytes | None:
        """The bytes the build writes at URL path `path` (a page rendered now, or another file of the site), or
        None: not a file of this site."""
        from mkdocs.commands import build as mk
        from mkdocs.structure.pages import Page

        rel = self.lookup(path)
        if rel is None:
            return None
        if rel in self.extra:
            return self.extra[rel]().encode("utf-8")
        dest = self.out / rel
        if dest.is_file():
            return dest.read_bytes()
        if rel == NOT_FOUND:  # what a missing URL gets (MkDocs writes it before the pages)
            mk._build_theme_template(NOT_FOUND, self.env, self.files, self.cfg, self.nav)
            return dest.read_bytes() if dest.is_file() else None
        f = self.by_path.get(rel) or self._page_of(rel)
        if f.is_documentation_page():
            page = f.page or Page(None, f, self.cfg)
            if page.content is None:
                mk._populate_page(page, self.cfg, self.files)  # (an entry's preview is written here)
            if rel == f.dest_uri:
                mk._build_page(page, self.cfg, self.docs, self.nav, self.env)
            return dest.read_bytes() if dest.is_file() else None
        data = f.content_bytes  # a theme or content file, or a plugin's output (a table's rows, among others)
        return self.tables.resolve(data.decode("utf-8")).encode("utf-8") if TOKEN.encode() in data else data

    def close(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)
