"""A cold build's discovery computed in a forked process beside the pages; its panels patched in afterwards.

Discovery (keywords, topics, related, unlinked mentions) is the longest step before a big site's first page.
On a process's first build of a site, `later()` forks it, and pages render at once with a marker where each
discovery panel goes (an HTML comment carrying a per-build nonce). At `on_post_build`, `settle()` takes the
result, swaps the real `SiteDiscovery` in and replaces each marker in the written pages with exactly what a
build with discovery up front prints there (tests/site/test_discovery_later.py compares the two sites).
"""
from __future__ import annotations

import io
import os
import pickle
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kbsync.view.discovery import backlink_contexts

from . import forking, parallel, topics
from .pages import GEN, GenPage
from .publish import write_atomic

PANELS = ("h", "u", "r")  # header (keywords, topics), unlinked mentions, related


class LaterDiscovery:
    """Stands in for `SiteDiscovery` while its result is computed: backlink contexts now, markers for the rest."""

    def __init__(self, index: Any, docs_dir: str, store_url: str | None, job: Any) -> None:
        self.index, self.docs_dir, self.store_url, self.job = index, docs_dir, store_url, job
        self.nonce = secrets.token_hex(8)
        self.contexts = backlink_contexts(index.public_records())  # the backlinks panel renders with the page
        self.deferred: dict[str, GenPage] = {}  # src_uri -> generated page rendered with a marker body

    def marker(self, part: str) -> str:
        return f"<!--kb-later-{self.nonce}:{part}-->"

    def of(self, slug: str) -> dict[str, Any]:
        """Only what a page needs while rendering: its backlinks' contexts (public sources, as SiteDiscovery.of)."""
        ok = self.index.is_public
        return {"contexts": {k: v for k, v in (self.contexts.get(slug) or {}).items() if ok(k[0])}}

    def header_html(self, slug: str, page_url: str) -> str:
        return self.marker("h")

    def unlinked_html(self, slug: str, page_url: str) -> str:
        return self.marker("u")

    def related_html(self, slug: str, page_url: str) -> str:
        return self.marker("r")

    def key(self, slug: str) -> list[Any]:
        raise RuntimeError("discovery keys are computed once discovery settles")  # settle() marks the pages

    def pages(self) -> list[GenPage]:
        """The topics page, its body a marker."""
        return [self.defer(GenPage(f"{GEN}/topics.md", topics.TOPICS_URL, "Topics", "# Topics\n"))]

    def defer(self, page: GenPage) -> GenPage:
        """`page` with a marker for its body (it shows discovery's topics): the real body is patched in."""
        head = page.markdown.partition("\n")[0]
        self.deferred[page.src_uri] = page
        return GenPage(page.src_uri, page.url, page.title, f"{head}\n{self.marker(page.src_uri)}", page.entry,
                       page.files)


def later(index: Any, docs_dir: str, store_url: str | None, option: int, first: bool) -> LaterDiscovery | None:
    """Discovery forked beside the pages on a big site's first build in this process, else None (the caller
    builds `SiteDiscovery` itself: a later build updates the kept discovery in a fraction of the time)."""
    key = Path(docs_dir).resolve()
    if not first or key in topics._KEPT or len(index.public) < parallel.MIN_PAGES or not forking.can_fork(option):
        return None

    def compute() -> bytes | None:
        topics.site_discovery(index.public_records(), docs_dir, topics.results_path(store_url))  # saves results
        kept = topics._KEPT.get(key)  # the parent keeps it: its next build updates it, not builds it again
        return None if kept is None else _dumps(kept)

    return LaterDiscovery(index, docs_dir, store_url, forking.beside(compute, lambda: None))


def settle(plugin: Any, config: Any, home: Any) -> Callable[[], None]:
    """Swap the real discovery in and start patching its panels into the written pages (in a forked process
    beside the rest of `on_post_build` where one can be forked); returns the function that waits for the patch."""
    found: LaterDiscovery = plugin.discovery
    kept = found.job()
    if kept is not None:
        topics._KEPT[Path(found.docs_dir).resolve()] = _loads(kept)
    real_contexts = topics.backlink_contexts
    topics.backlink_contexts = lambda recs: found.contexts  # computed for this index already: not again
    try:
        real = plugin.discovery = topics.SiteDiscovery(plugin.index, found.docs_dir, found.store_url)
    finally:
        topics.backlink_contexts = real_contexts
    bodies = {p.src_uri: p for p in real.pages()}
    if "" in {p.url for p in found.deferred.values()}:  # the home page's Topics card reads the saved topics
        bodies.update({p.src_uri: p for p in [home()]})
    for src, page in bodies.items():
        if src in found.deferred:
            plugin.generated[src] = page
    cache = plugin._generated_cache
    if cache is not None:
        plugin._generated_cache = (cache[0], [plugin.generated.get(p.src_uri, p) for p in cache[1]])
    site = config.site_dir
    files = plugin.files
    pages = [(f.dest_uri, slug, f.url) for src, slug in plugin.entry_files.items()
             if files is not None and (f := files.get_file_from_path(src)) is not None]
    bodies = {src: p for src, p in bodies.items() if src in found.deferred}

    def patch_all() -> None:
        for dest, slug, url in pages:
            _patch(os.path.join(site, dest), found, {found.marker(p): _panel(real, p, slug, url) for p in PANELS})
        for src, page in bodies.items():
            _patch(os.path.join(site, page.dest_uri), found, {found.marker(src): page.markdown.partition("\n")[2]})

    if len(pages) < parallel.MIN_PAGES or not forking.can_fork(plugin.config.parallel):
        patch_all()
        return lambda: None
    job = forking.beside(patch_all, patch_all)  # (a failed patcher: the markers left are patched here)
    return lambda: job()


def _panel(real: Any, part: str, slug: str, url: str) -> str:
    if part == "h":
        return str(real.header_html(slug, url))
    return str(real.unlinked_html(slug, url) if part == "u" else real.related_html(slug, url))


def _patch(path: str, found: LaterDiscovery, marks: dict[str, str]) -> None:
    try:
        with open(path, encoding="utf-8") as fh:
            html = fh.read()
    except OSError:
        return  # not written (a page that failed): nothing to patch
    if f"<!--kb-later-{found.nonce}:" not in html:
        return
    for mark, text in marks.items():
        html = html.replace(mark, text)
    write_atomic(html.encode("utf-8"), path)


def _dumps(kept: Any) -> bytes:
    """The kept discovery as bytes; its feature profiles (an open SQLite cache) stand for the parent's own."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: "profiles" if obj is topics._PROFILES else None  # type: ignore[method-assign]
    pickler.dump(kept)
    return buf.getvalue()


def _loads(data: bytes) -> Any:
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = lambda pid: topics._PROFILES  # type: ignore[method-assign]
    return unpickler.load()
