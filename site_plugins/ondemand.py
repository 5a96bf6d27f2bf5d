"""Pages rendered on demand while a site's first build runs: any page answers within seconds of the sync.

MkDocs writes no page before it has read every page's Markdown (28.9 s at 10,000 entries). `Renderer.prepare`
runs the same build up to the point where a page could be rendered (config, files, the plugin's `on_files`
with every record, nav, the nav pages' titles, `on_env`) and nothing more; `render(path)` then reads and
renders just that page through MkDocs' own `_populate_page`/`_build_page`, into a private folder (never the
site the build writes), and returns its bytes. Only files of that build's `Files` are answered: the plugin
already dropped hidden entries and anything outside the content folder, and a path is looked up, never joined.

Discovery (keywords, topics, related, unlinked mentions) is not computed here on a big site: its panels are
left as the markers the build's own early pages carry, so the page shows them once the build's page replaces
it. A small site computes discovery here (in memory, nothing saved), so its pages are the build's bytes.
"""
from __future__ import annotations

import logging
import os
import posixpath
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.plugins.kb")


class _Never:
    """The forked discovery job a renderer does not start: nothing to wait for or cancel."""

    def __call__(self) -> None:
        return None

    def cancel(self) -> None:
        return None


def _later_standin(index: Any, docs_dir: str, store_url: str | None, option: int, first: bool) -> Any:
    """`discovery_later.later` for a renderer: markers on a big site (its pages keep the home page's real body),
    discovery computed in memory on a small one (a page then has exactly the build's panels)."""
    from . import parallel, topics

    if len(index.public) < parallel.MIN_PAGES:
        return topics.SiteDiscovery(index, docs_dir, None)  # None: the build saves results, not us

    return _markers_class()(index, docs_dir, store_url, os.path.join(tempfile.gettempdir(), "kb-never", "x"), _Never())


def _markers_class() -> Any:
    from kbsync.view.discovery import CONTEXT_KINDS, backlink_contexts

    from .discovery_later import LaterDiscovery

    class Markers(LaterDiscovery):
        """Discovery's markers; backlink contexts cut per page asked for (all at once: seconds at 10,000)."""

        def __init__(self, index: Any, docs_dir: str, store_url: str | None, path: str, job: Any) -> None:
            self.index, self.docs_dir, self.store_url, self.path, self.job = index, docs_dir, store_url, path, job
            self.nonce = secrets.token_hex(8)
            self.deferred, self.real = {}, None
            self.sources: dict[str, set[str]] = {}  # target -> public entries linking to it in their text
            for slug in index.public:
                for ln in index.records[slug].get("links") or []:
                    if ln.get("target") and ln.get("kind") in CONTEXT_KINDS:
                        self.sources.setdefault(ln["target"], set()).add(slug)
            self.contexts = _Lazy(lambda target: backlink_contexts(
                index.records[s] for s in sorted(self.sources.get(target, ()))).get(target, {}))

        def defer(self, page: Any) -> Any:
            return page if page.url == "" else super().defer(page)  # the home page's own body, Topics card aside

    return Markers


class _Lazy(dict):  # type: ignore[type-arg]
    """A dict whose missing keys are computed (and kept) on first `get`."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self.make = make

    def get(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = self.make(key)
        return self[key]


class Renderer:
    """One site's build state, up to its first page, and the pages rendered from it so far."""

    def __init__(self, content: Path, store_url: str, mkdocs_yml: Path | None = None) -> None:
        self.content, self.store_url, self.yml = content, store_url, mkdocs_yml
        self.out = Path(tempfile.mkdtemp(prefix="kb-ondemand-"))  # a private site folder: renders land here
        self.by_path: dict[str, Any] = {}  # site-relative output path -> MkDocs File
        self.revision: int | None = None
        self.cfg: Any = None

    def begin(self) -> None:
        """What needs no store: imports, the config, the content folder's files, the theme (before the sync ends)."""
        from mkdocs.structure.files import get_files

        from kbsync.view import discovery  # noqa: F401 - the discovery stand-in's imports (seconds), ahead

        from . import discovery_later, plugin
        from .config import load

        discovery_later.later = _later_standin  # this process renders pages only: no discovery, graph or workers
        plugin.graph_later = lambda index, option: None  # type: ignore[assignment]
        plugin.preload_jieba = lambda records: False  # for the page workers it shares with: there are none here
        cfg = load(self.content, self.out, store_url=self.store_url, mkdocs_yml=self.yml, sync=False, parallel=1)
        cfg.plugins.on_startup(command="build", dirty=False)
        cfg = cfg.plugins.on_config(cfg)
        cfg.plugins.on_pre_build(config=cfg)
        for p in cfg.plugins.values():  # nothing writes a search index here: its pages are not indexed (nor segmented)
            index = getattr(p, "search_index", None)
            if index is not None and hasattr(index, "add_entry_from_context"):
                index.add_entry_from_context = lambda page: None
        self.cfg, self.files = cfg, get_files(cfg)
        self.env = cfg.theme.get_env()
        self.files.add_files_from_theme(self.env, cfg)

    def prepare(self) -> float:
        """Everything a page render needs, from the synced store; returns seconds taken."""
        from mkdocs.commands import build as mk
        from mkdocs.structure.files import set_exclusions
        from mkdocs.structure.nav import get_navigation

        t0 = time.perf_counter()
        if self.cfg is None:
            self.begin()
        cfg = self.cfg
        files = cfg.plugins.on_files(self.files, config=cfg)
        set_exclusions(files, cfg)
        nav = get_navigation(files, cfg)
        nav = cfg.plugins.on_nav(nav, config=cfg, files=files)
        for page in nav.pages:  # their titles show in every page's nav, as after the build's read loop
            mk._populate_page(page, cfg, files)
        kb = cfg.plugins["kb"]
        if kb._urls is None:  # what the build's first entry page sees: every file, before attachments are chosen
            kb._urls = {f.url for f in files} | {f.dest_uri for f in files}
        self.env = cfg.plugins.on_env(self.env, config=cfg, files=files)
        self.files, self.nav, self.kb = files, nav, kb
        self.docs = files.documentation_pages()
        self.by_path = {f.dest_uri: f for f in files}
        self.revision = kb.index.revision if kb.index is not None else None
        return time.perf_counter() - t0

    def lookup(self, path: str) -> Any:
        """The build's file written at URL path `path` (`a/`, `a/index.html`, `assets/x.css`), or None."""
        path = path.lstrip("/")
        if "\\" in path or "\x00" in path or any(p in ("..", ".") for p in path.split("/")):
            return None
        if path == "" or path.endswith("/"):
            path += "index.html"
        path = posixpath.normpath(path)
        return self.by_path.get(path)

    def render(self, path: str) -> bytes | None:
        """The bytes the build writes at `path` (a page rendered now, or a static file), or None: not a file
        of this site."""
        from mkdocs.commands import build as mk
        from mkdocs.structure.pages import Page

        f = self.lookup(path)
        if f is None:
            return None
        dest = Path(f.abs_dest_path)
        if not dest.is_file():
            if not f.is_documentation_page():
                dest.parent.mkdir(parents=True, exist_ok=True)
                if f.generated_by and f.abs_src_path is None:
                    dest.write_bytes(f.content_bytes)
                else:
                    shutil.copyfile(f.abs_src_path, dest)
            else:
                page = f.page or Page(None, f, self.cfg)
                if page.content is None:
                    mk._populate_page(page, self.cfg, self.files)
                mk._build_page(page, self.cfg, self.docs, self.nav, self.env)
        return dest.read_bytes()

    def close(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)
