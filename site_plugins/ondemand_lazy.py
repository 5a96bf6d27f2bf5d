"""What an on-demand renderer (site_plugins/ondemand.py) leaves out of a build's `on_files`, or makes later.

Inside `renderer_patches()` the kb plugin's `on_files` reads the records in process and starts no discovery,
graph layout or jieba load, and the tag and type pages' tables are tokens, each made when a page (or rows file)
holding it is asked for: making them all is a third of what a renderer does before its first page at 10,000
entries.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kbsync.view.discovery import CONTEXT_KINDS, backlink_contexts

from . import discovery_later, pages, parallel, plugin, topics
from . import index as site_index
from .discovery_later import LaterDiscovery
from .tables import Table, TableBuilder, rows_path

TOKEN = "\ue000kb-table-"  # private-use characters: no content holds them
_TOKENS = re.compile("(\ue000kb-table-[0-9]+-[0-9a-f]+\ue001)([hj])")


class Tables:
    """The tables of one renderer: token -> (builder, rows, page URL, with_type) until made, then its Table."""

    def __init__(self) -> None:
        self.pending: dict[str, Any] = {}
        self.key = secrets.token_hex(4)

    def builder(self) -> type[TableBuilder]:
        """A TableBuilder whose `build` hands out tokens of this renderer."""
        tables = self

        class LazyTables(TableBuilder):
            def build(self, slugs: list[str], page_url: str, *, with_type: bool) -> Table:
                token = f"{TOKEN}{len(tables.pending)}-{tables.key}\ue001"
                tables.pending[token] = (self, list(slugs), page_url, with_type)
                return Table(token + "h", rows_path(page_url), token + "j")

        return LazyTables

    def resolve(self, text: str) -> str:
        """`text` with every token of this renderer replaced by what its table gives there."""
        if TOKEN not in text:
            return text
        return _TOKENS.sub(lambda m: self._part(m.group(1), m.group(2)), text)

    def _part(self, token: str, part: str) -> str:
        got = self.pending.get(token)
        if got is None:
            return token + part  # another renderer's: not ours to make
        if not isinstance(got, Table):
            builder, slugs, url, with_type = got
            got = self.pending[token] = TableBuilder.build(builder, slugs, url, with_type=with_type)
        return got.html if part == "h" else got.json_text


class LazyPage:
    """A generated page whose body holds table tokens: the body made on each read (a page is rendered once)."""

    def __init__(self, page: Any, tables: Tables) -> None:
        self.page, self.tables = page, tables
        self.src_uri, self.url, self.title, self.entry = page.src_uri, page.url, page.title, page.entry
        self.dest_uri, self.files = page.dest_uri, dict[str, str]()  # (its files were added at on_files)

    @property
    def markdown(self) -> str:
        return self.tables.resolve(self.page.markdown)


class _Never:
    """The forked discovery job a renderer does not start: nothing to wait for or cancel."""

    def __call__(self) -> None:
        return None

    def cancel(self) -> None:
        return None


class Markers(LaterDiscovery):
    """Discovery's markers where its panels go (the build's early pages carry the same); backlink contexts cut
    for the pages asked for (all at once: seconds at 10,000); the home page keeps its own body."""

    def __init__(self, index: Any, docs_dir: str, store_url: str | None) -> None:
        sources: dict[str, set[str]] = {}  # target -> public entries linking to it in their text
        for slug in index.public:
            for ln in index.records[slug].get("links") or []:
                if ln.get("target") and ln.get("kind") in CONTEXT_KINDS:
                    sources.setdefault(ln["target"], set()).add(slug)
        contexts = _Lazy(lambda target: backlink_contexts(
            index.records[s] for s in sorted(sources.get(target, ()))).get(target, {}))
        # the base class's fields, set in one place (a field it gains later cannot be missing here); no job runs
        path = os.path.join(tempfile.gettempdir(), f"kb-never-{secrets.token_hex(8)}", "result.pickle")
        super().__init__(index, docs_dir, store_url, path, _Never(), contexts=contexts)
        self.waits = False  # markers stay: a renderer never waits for a discovery it never runs

    def defer(self, page: Any) -> Any:
        return page if page.url == "" else super().defer(page)  # the home page: all but its Topics card


class _Lazy(dict):  # type: ignore[type-arg]
    """A dict whose missing keys are computed (and kept) on first `get`."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self.make = make

    def get(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = self.make(key)
        return self[key]


def _later(index: Any, docs_dir: str, store_url: str | None, option: int, first: bool, contexts: Any = None) -> Any:
    """`discovery_later.later` in a renderer: markers on a big site, discovery computed in memory on a small one
    (nothing saved: the build saves its own), so a small site's pages are the build's bytes."""
    if len(index.public) < parallel.MIN_PAGES:
        key = Path(docs_dir).resolve()
        kept = key in topics._KEPT
        try:
            return topics.SiteDiscovery(index, docs_dir, None)
        finally:
            if not kept:  # the next build in this process (a test's) starts from nothing, as it would have
                topics._KEPT.pop(key, None)
    return Markers(index, docs_dir, store_url)


@contextlib.contextmanager
def renderer_patches(tables: Tables) -> Iterator[None]:
    """The plugin's `on_files` as a renderer runs it; everything is put back after."""
    saved = (discovery_later.later, plugin.graph_later, plugin.preload_jieba, pages.TableBuilder, site_index.load_forked,
             site_index.compact)
    site_index.load_forked = lambda load: load()  # records read here, not packed (0.5 s) or pickled over from a fork
    site_index.compact = lambda records: list(records)  # values shared to save memory: not worth it here
    discovery_later.later = _later  # type: ignore[assignment]
    plugin.graph_later = lambda index, option, site_dir=None: None  # type: ignore[assignment]
    plugin.preload_jieba = lambda records: False  # loaded for page workers to share: a renderer has none
    pages.TableBuilder = tables.builder()  # type: ignore[misc]
    try:
        yield
    finally:
        (discovery_later.later, plugin.graph_later, plugin.preload_jieba, pages.TableBuilder,  # type: ignore[misc]
         site_index.load_forked, site_index.compact) = saved
