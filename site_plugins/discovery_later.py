"""A cold build's discovery computed in a forked process beside the pages, not before them.

Discovery (keywords, topics, related, unlinked mentions) is the longest step before a big site's first page.
On a process's first build of a big site (`BESIDE_FROM` public entries or more), `later()` forks it and the
pages go on at once: a page rendered before its result is in gets a marker where each discovery panel goes (an
HTML comment with a per-build nonce), a page rendered after it (in any process: the result is left in a file)
gets the real panels. At
`on_post_build`, `settle()` swaps the real `SiteDiscovery` in and replaces the markers left in the written pages
(and the topics and home pages' bodies) with exactly what a build with discovery up front prints there
(tests/site/test_discovery_later.py compares the two sites). Below `BESIDE_FROM` public entries the pages are
only read while it runs (Markdown and links need nothing of it) and render once its result is in: the build
process waits for it at `on_env`, and the page workers wait there for the build process, so no page gets a marker
and only the generated topics and home pages (their Markdown read with one) are patched.
"""
from __future__ import annotations

import atexit
import copyreg
import functools
import os
import pickle
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kbsync.discovery import stemids
from kbsync.view.discovery import PackedContexts, backlink_contexts

from . import forking, keptfile, parallel, slimrecords, textpack, topics
from .packedmap import PackedMap
from .pages import GEN, GenPage
from .publish import write_atomic

PANELS = ("h", "u", "r")  # header (keywords, topics), unlinked mentions, related
# "before": never forked; "beside": forked, pages render with markers until its result is in; "reads": forked,
# pages are read beside it and render once it is in; "auto": up front below BESIDE_FROM public entries, "beside"
# from it (bench/site_profile.py --discovery compares them).
MODE = "auto"
# Below it, discovery up front cost the least wall and CPU: 10,000 entries, quiet (load ~2), interleaved,
# `bench/site_profile.py --discovery before|reads`: 52.5 and 47.1 s wall (user CPU 93.4, 83.5 s) against 55.4 and
# 55.6 s (97.7, 96.9 s) for "reads", whose extra processes (discovery's own jieba, its pool, the unlinked scan) share
# the two cores with the page reads. From it, the build process would otherwise pass discovery's working set
# (~21 KB an entry) to every page worker it forks (memory at 100,000 entries): forked, pages render beside it.
BESIDE_FROM = 20_000


class LaterDiscovery:
    """Stands in for `SiteDiscovery` while its result is computed: backlink contexts now, markers for the rest,
    the real panels as soon as the forked process has left its result (`path`) for every process to read."""

    def __init__(self, index: Any, docs_dir: str, store_url: str | None, path: str, job: Any,
                 contexts: Any = None, take: Callable[[], Any] | None = None) -> None:
        """`contexts`: a stand-in's own (e.g. ondemand_lazy.Markers'); `take`: gives them, cut in another process
        (site_plugins/plugin_beside.py); neither: cut here when first asked (before the entries' text is held)."""
        self.index, self.docs_dir, self.store_url, self.path, self.job = index, docs_dir, store_url, path, job
        self.nonce = secrets.token_hex(8)
        self._contexts, self._take = contexts, take  # the backlinks panel renders with the page
        self.deferred: dict[str, GenPage] = {}  # src_uri -> generated page rendered with a marker body
        self.real: Any = None  # the SiteDiscovery, once its result is in
        self.waits = _placement(index) == "reads"  # pages render only once its result is in (`wait`)
        self.kept: list[Any] = []  # what the forked process returned (its kept file), once waited for

    @property
    def contexts(self) -> Any:
        if self._contexts is None:
            take, self._take = self._take, None
            self._contexts = PackedContexts.of(take() if take is not None
                                               else backlink_contexts(self.index.public_records()))
        return self._contexts

    def marker(self, part: str) -> str:
        return f"<!--kb-later-{self.nonce}:{part}-->"

    def poll(self) -> Any:
        """The real discovery if its result is in (read once per process), else None."""
        if self.real is None and os.path.exists(self.path):
            with open(self.path, "rb") as fh:
                self.real = _make(self, pickle.load(fh))  # noqa: S301 - written by this build's own process
        return self.real

    def of(self, slug: str) -> dict[str, Any]:
        """Only what a page needs while rendering: its backlinks' contexts (public sources, as SiteDiscovery.of)."""
        if self.poll() is not None:
            return dict(self.real.of(slug))
        ok = self.index.is_public
        return {"contexts": {k: v for k, v in (self.contexts.get(slug) or {}).items() if ok(k[0])}}

    def header_html(self, slug: str, page_url: str) -> str:
        return self.marker("h") if self.poll() is None else _panel(self.real, "h", slug=slug, url=page_url)

    def unlinked_html(self, slug: str, page_url: str) -> str:
        return self.marker("u") if self.poll() is None else _panel(self.real, "u", slug=slug, url=page_url)

    def related_html(self, slug: str, page_url: str) -> str:
        return self.marker("r") if self.poll() is None else _panel(self.real, "r", slug=slug, url=page_url)

    def key(self, slug: str) -> list[Any]:
        raise RuntimeError("discovery keys are computed once discovery settles")  # settle() marks the pages

    def pages(self) -> list[GenPage]:
        """The topics page, its body a marker (generated bodies are made before any page renders)."""
        return [self.defer(GenPage(f"{GEN}/topics.md", topics.TOPICS_URL, "Topics", "# Topics\n"))]

    def defer(self, page: GenPage) -> GenPage:
        """`page` with a marker for its body (it shows discovery's topics): the real body is patched in."""
        head = page.markdown.partition("\n")[0]
        self.deferred[page.src_uri] = page
        return GenPage(page.src_uri, page.url, page.title, f"{head}\n{self.marker(page.src_uri)}", page.entry,
                       page.files)

    def wait(self) -> None:
        """In the build process, every page read (`on_env`): with `waits`, the result in before any page renders
        (page workers wait for the build process there), so no page gets a marker."""
        if self.waits:
            self.joined()
            self.poll()

    def joined(self) -> Any:
        """The forked process's value (its kept file, or None), waited for once."""
        if not self.kept:
            self.kept.append(self.job())
        return self.kept[0]

    def cancel(self) -> None:
        self.job.cancel()
        shutil.rmtree(os.path.dirname(self.path), ignore_errors=True)


def _make(found: LaterDiscovery, result: Any = None) -> Any:
    """SiteDiscovery of `found`'s index from `result` (fields, topics) and its backlink contexts; `result` None:
    computed here (the forked process failed)."""
    saved = topics.site_discovery, topics.backlink_contexts
    if result is not None:
        topics.site_discovery = lambda *a, **k: result  # type: ignore[assignment]
    else:  # computed here: from the entries' text, held out of the records while the pages render
        textpack.restore(found.index)
    topics.backlink_contexts = lambda records: found.contexts  # computed for this index already: not again
    try:
        return topics.SiteDiscovery(found.index, found.docs_dir, found.store_url)
    finally:
        topics.site_discovery, topics.backlink_contexts = saved


def _placement(index: Any) -> str:
    """"reads" (rendering waits for the result) or "beside" (markers), for a forked discovery."""
    return "beside" if MODE == "auto" else MODE  # ("auto" forks from BESIDE_FROM only: `forks`)


def forks(index: Any, docs_dir: str, option: int, first: bool) -> bool:
    """Whether `later` forks discovery beside the pages (else the caller builds `SiteDiscovery` up front)."""
    small = len(index.public) < max(parallel.MIN_PAGES, BESIDE_FROM if MODE == "auto" else 0)
    return not (MODE == "before" or small or not first or Path(docs_dir).resolve() in topics._KEPT
                or not forking.can_fork(option))


def prefork(docs_dir: str, option: int, first: bool) -> None:
    """Before the records load: fork the process a big site's first build will run discovery in (`later` sends it
    the job, or stops it). Forked from the build process at its largest, discovery's RSS counted every record and
    all the build had made (10,000 to 20,000 entries: ~11 of its ~28 MB per 1,000 entries); forked now, it holds
    its own copy of the few record fields discovery reads."""
    drop_early()
    if not (MODE == "before" or not first or Path(docs_dir).resolve() in topics._KEPT or not forking.can_fork(option)):
        _EARLY.append(forking.Early("discovery"))


def drop_early() -> None:
    """Stop an early process no build took (a build that failed before discovery, or a small site)."""
    while _EARLY:
        _EARLY.pop().stop()


_EARLY: list[forking.Early] = []
atexit.register(drop_early)


def later(index: Any, docs_dir: str, store_url: str | None, option: int, first: bool,
          contexts: Callable[[], Any] | None = None) -> LaterDiscovery | None:
    """Discovery forked beside the pages on a big site's first build in this process, else None (the caller
    builds `SiteDiscovery` itself: a later build updates the kept discovery in a fraction of the time). Run by
    the process `prefork` made when there is one (given the public records through a file), else forked now.
    `contexts`: gives the backlink contexts cut in another process (else they are cut here)."""
    early = _EARLY.pop() if _EARLY else None
    if not forks(index, docs_dir, option, first):
        if early is not None:
            early.stop()
        return None
    path = os.path.join(tempfile.mkdtemp(prefix="kb-discovery-"), "result.pickle")
    owner = os.getpid()  # the kept file is this process's, though the forked one writes it
    keptfile.sweep(store_url)  # what builds killed before their exit left
    if early is not None:
        records = os.path.join(os.path.dirname(path), "records.pickle")
        slimrecords.write(index.public_records(), records)
        job = early.start(_compute_from, (records, docs_dir, store_url, path, owner), lambda: None)
    else:
        job = forking.beside(lambda: _compute(index.public_records(), docs_dir, store_url, path, owner),
                             lambda: None, "discovery")
    return LaterDiscovery(index, docs_dir, store_url, path, job, take=contexts)


def _compute(records: list[Any], docs_dir: str, store_url: str | None, path: str, owner: int,
             own: bool = False) -> str | None:
    """In the discovery process: the result left at `path` for every process to read; the kept state's file.
    `own`: the records are this process's alone (read from a file), spent as discovery goes."""
    fields, found = topics.site_discovery(records, docs_dir, topics.results_path(store_url), spend=own)
    del records  # (the caller holds none when `own`: freed before the pickles)
    result = (PackedMap.of(fields), found)  # packed here: the build process never holds them unpacked
    del fields
    _leave(result, path)  # every process reads it
    del result  # (its fields are not the kept state's: freed before that is pickled)
    kept = topics._KEPT.get(Path(docs_dir).resolve())  # the parent keeps it: its next build updates it
    if kept is None:
        return None
    fd, out = keptfile.create(store_url, owner)  # in a file: read by that next build only
    with os.fdopen(fd, "wb") as fh:
        _dump(kept, fh)
    return out


def _leave(result: Any, path: str) -> None:
    """`result` pickled into `path` as it goes (no whole copy in memory), renamed there once complete."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _compute_from(records: str, docs_dir: str, store_url: str | None, path: str, owner: int) -> str | None:
    """`_compute` in the early process, its records read from the file the build process wrote."""
    return _compute(slimrecords.read(records), docs_dir, store_url, path, owner, own=True)


def settle(plugin: Any, config: Any, home: Any) -> Callable[[], None]:
    """Swap the real discovery in and patch its panels into the pages written before it was in, in this process;
    returns the wait the plugin calls at the end of `on_post_build` (nothing is left to wait for)."""
    found: LaterDiscovery = plugin.discovery
    kept = found.joined()
    in_first = found.waits and found.real is not None  # in before any page rendered: only generated bodies
    if kept is not None:
        topics._KEPT[Path(found.docs_dir).resolve()] = topics.Stored(kept, _load)
    real = plugin.discovery = found.poll() or _make(found)
    shutil.rmtree(os.path.dirname(found.path), ignore_errors=True)
    bodies = {p.src_uri: p for p in real.pages()}
    if "" in {p.url for p in found.deferred.values()}:  # the home page's Topics card reads the saved topics
        bodies.update({p.src_uri: p for p in [home()]})
    bodies = {src: p for src, p in bodies.items() if src in found.deferred}
    plugin.generated.update(bodies)
    cache = plugin._generated_cache
    if cache is not None:
        plugin._generated_cache = (cache[0], [plugin.generated.get(p.src_uri, p) for p in cache[1]])
    site, files = config.site_dir, plugin.files
    pages = [(f.dest_uri, slug, f.url) for src, slug in plugin.entry_files.items()
             if not in_first and files is not None and (f := files.get_file_from_path(src)) is not None]

    def patch_all() -> None:
        for dest, slug, url in pages:
            _patch(os.path.join(site, dest), found, functools.partial(_panel, real, slug=slug, url=url))
        for page in bodies.values():
            body = page.markdown.partition("\n")[2]
            _patch(os.path.join(site, page.dest_uri), found, lambda _part, b=body: b)  # type: ignore[misc]

    # Here, not in a forked process: a fork's RSS is a copy of this process's near its largest (10,000 entries,
    # discovery beside: 443 MB), and the graph files it overlapped are written beside the pages now.
    patch_all()
    return lambda: None


def _panel(real: Any, part: str, *, slug: str, url: str) -> str:
    if part == "h":
        return str(real.header_html(slug, url))
    return str(real.unlinked_html(slug, url) if part == "u" else real.related_html(slug, url))


_MARK = re.compile(r"<!--kb-later-([0-9a-f]+):([^>]*?)-->")


def _patch(path: str, found: LaterDiscovery, text: Callable[[str], str]) -> None:
    """Replace this build's markers in the page at `path` by `text(part)`; a page without them is left alone."""
    try:
        with open(path, encoding="utf-8") as fh:
            html = fh.read()
    except OSError:
        return  # not written (a page that failed): nothing to patch
    if f"<!--kb-later-{found.nonce}:" not in html:
        return
    html = _MARK.sub(lambda m: text(m.group(2)) if m.group(1) == found.nonce else m.group(0), html)
    write_atomic(html.encode("utf-8"), path)


def _dump(kept: Any, fh: Any) -> None:
    """The kept discovery pickled into `fh` as it goes (never whole in memory); its feature profiles (an open SQLite
    cache) stand for the reading process's own; its stem counts as their id arrays, after this process's stems."""
    pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: "profiles" if obj is topics._PROFILES else None  # type: ignore[method-assign]
    pickler.dispatch_table = {**copyreg.dispatch_table, stemids.StemCounts: stemids.by_id}
    pickler.dump(stemids.table())
    pickler.dump(kept)


def _load(fh: Any) -> Any:
    unpickler = pickle.Unpickler(fh)
    unpickler.persistent_load = lambda pid: topics._PROFILES  # type: ignore[method-assign]
    with stemids.reading(unpickler.load()):
        return unpickler.load()
