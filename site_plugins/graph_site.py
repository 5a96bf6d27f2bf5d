"""Graph outputs of a site folder (graph.json, graph-types.json, every entry's kb-local.json), updated in place.

`publish_graph` is the one entry point: the plugin calls it at the end of every build, and the editing path
(after an edit, without a full build) calls it with the changed slugs. A full build lays everything out and
writes every file; an incremental one reads only what changed (see graph_live.py for the positions rule and
graph_local.py for which local files are rewritten).
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import graph_kept
from .graph_live import LiveGraph
from .graph_local import TYPES_JSON, LocalGraphs, local_path
from .index import SiteIndex
from .publish import write_atomic

log = logging.getLogger("mkdocs.plugins.kb")
GRAPH_JSON = "graph.json"


@dataclass
class SiteGraph:
    live: LiveGraph
    local: LocalGraphs
    types: bytes = b""
    urls: dict[str, str] = field(default_factory=dict)  # centre -> page URL its local file was written beside


def _made(pending: graph_kept.Pending) -> SiteGraph:
    return graph_kept.load(pending, SiteGraph, LiveGraph, LocalGraphs)


SITES = graph_kept.Sites(_made)  # resolved site_dir -> its graph, for the life of the process
_LOCK = threading.Lock()


def site_key(site_dir: str) -> str:
    return str(Path(site_dir).resolve())


def publish_graph(site_dir: str, index: SiteIndex, *, incremental: bool,
                  changed: Iterable[str] | None = None, beside: bytes | None = None,
                  local: Callable[[], Any] | None = None) -> set[str]:
    """Bring the graph files of `site_dir` up to date with `index`; returns every graph file's site path.

    incremental=False (or a site first seen by this process): full layout, every file written.
    incremental=True: `changed` slugs (None: found by comparing every record with the last build's, cheaply)
    are applied in place; graph.json keeps positions until the layout behind replaces them.
    beside: the local files of a full build, already written by a process beside the pages (graph_beside.py).
    local: an edit's local files, being written by a process beside the pages (`local_beside`, same `changed`)."""
    key = site_key(site_dir)
    t0 = time.perf_counter()
    with _LOCK:
        site = SITES.get(key) if incremental else None
        if site is None and beside is not None:  # every file written beside: its state kept as bytes (graph_kept.py)
            SITES[key] = graph_kept.Pending(beside, os.path.join(site_dir, GRAPH_JSON))
            log.info("kb: graph files written beside the pages, kept in %.3fs", time.perf_counter() - t0)
            return {GRAPH_JSON, TYPES_JSON, *(local_path(index.page_url(s)) for s in index.public)}
        if site is None:
            live = LiveGraph.full(index)
            site = SITES[key] = SiteGraph(live, LocalGraphs(live))
            files: Iterator[tuple[str, bytes | None]] = site.local.iter_all()  # written as made
            gone = set[str]()
            write_graph = True
        else:
            live = site.live
            ch = live.update(index, live.changed(index) if changed is None else changed)
            got = local() if local is not None else None
            if got is not None:  # written beside: only their state to take
                kept, digests, written = got
                gone = site.local.adopt(ch, kept, digests)
                files = ((c, None) for c in written)
            else:
                changed_files, gone = site.local.refresh(ch)
                files = iter(changed_files.items())
            write_graph = bool(ch.new or ch.gone or ch.shown or ch.edges)
        url = _url(live)
        written = _write_local(site_dir, site, url, files, gone)
        types = site.local.types_json()
        if types != site.types or not os.path.isfile(os.path.join(site_dir, TYPES_JSON)):
            write_atomic(types, os.path.join(site_dir, TYPES_JSON))
            site.types = types
        path = os.path.join(site_dir, GRAPH_JSON)
        live.path = path
        if write_graph or not os.path.isfile(path):
            live.write(path)
        live.relayout_behind()
    log.info("kb: graph files: %d local written, %d removed, in %.3fs", written, len(gone),
             time.perf_counter() - t0)
    return {GRAPH_JSON, TYPES_JSON, *(local_path(url(c)) for c in live.rows)}


def _write_local(site_dir: str, site: SiteGraph, url: Callable[[str], str],
                 files: Iterable[tuple[str, bytes | None]], gone: set[str]) -> int:
    """Write the local files (text None: written already, by the process beside), move a file whose page moved,
    remove the files of centres gone; returns how many were written."""
    written = 0
    for c, text in files:
        written += 1
        old = site.urls.get(c)
        site.urls[c] = url(c)
        if text is not None:
            write_atomic(text, os.path.join(site_dir, local_path(url(c))))
        if old is not None and old != url(c):  # a permalink changed: the file moves with its page
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(site_dir, local_path(old)))
    for c in gone:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(site_dir, local_path(site.urls.pop(c, f"{c}/"))))
    return written


def local_beside(site_dir: str, index: SiteIndex, changed: list[str], before: Callable[[], None]
                 ) -> Callable[[], Any] | None:
    """An edit's local graph files computed and written by a process forked now, beside the pages the edit
    re-renders (at 10,000 entries hiding a much-linked person rewrites 340-490 of them in 0.26-0.43 s).
    `before()` runs first in that process: the index changes the caller makes before its `publish_graph(...,
    changed=changed, local=<this>)` (a deleted entry leaves the index after the pages render). Returns what to
    pass as `local` (its value: the state to adopt, or None when the process failed: publish_graph then computes
    the files itself), or None when there is no graph state to start from."""
    from . import forking

    with _LOCK:
        site = SITES.get(site_key(site_dir))  # a pending state made live here, once, not in each child
    if site is None or not hasattr(os, "fork"):
        return None
    live = site.live

    def compute() -> tuple[dict[str, Any], dict[str, bytes], list[str], float]:
        t = time.perf_counter()
        before()
        ch = live.update(index, changed)
        files, gone = site.local.refresh(ch)
        _write_local(site_dir, site, _url(live), iter(files.items()), gone)
        local = site.local
        return ({c: local.kept[c] for c in local.recomputed}, {c: local.digest[c] for c in files}, list(files),
                time.perf_counter() - t)

    # The layout thread behind the site (graph_live) takes this lock: held here across fork(), the child has it
    # (its own thread owns it: update() takes it again) and no thread can have left it taken in the child.
    with live.lock:
        job = forking.beside(compute, lambda: None, "graph local beside")

    def result() -> Any:
        t = time.perf_counter()
        got = job()
        if got is None:
            return None
        log.info("kb: %d local graph file(s) made beside the pages in %.3fs, waited for %.3fs", len(got[2]), got[3],
                 time.perf_counter() - t)
        return got[:3]

    return result


def settle(timeout: float | None = None) -> bool:
    """Wait for every layout running behind; True when all graph.json files hold a full build's positions."""
    return all(site.live.settle(timeout) for site in SITES.live())


def _url(live: LiveGraph):  # noqa: ANN202
    return lambda s: live.rows[s][4] or f"{s}/"
