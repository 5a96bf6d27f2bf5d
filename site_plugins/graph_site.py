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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .graph_beside import kept_local
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


SITES: dict[str, SiteGraph] = {}  # resolved site_dir -> its graph, for the life of the process
_LOCK = threading.Lock()


def site_key(site_dir: str) -> str:
    return str(Path(site_dir).resolve())


def publish_graph(site_dir: str, index: SiteIndex, *, incremental: bool,
                  changed: Iterable[str] | None = None, beside: bytes | None = None) -> set[str]:
    """Bring the graph files of `site_dir` up to date with `index`; returns every graph file's site path.

    incremental=False (or a site first seen by this process): full layout, every file written.
    incremental=True: `changed` slugs (None: found by comparing every record with the last build's, cheaply)
    are applied in place; graph.json keeps positions until the layout behind replaces them.
    beside: the local files of a full build, already written by a process beside the pages (graph_beside.py)."""
    key = site_key(site_dir)
    t0 = time.perf_counter()
    with _LOCK:
        site = SITES.get(key) if incremental else None
        if site is None:
            # Written already (beside): only what later builds compare against is kept, and the graph laid out
            got = kept_local(beside) if beside is not None else None
            live = got[4] if got is not None else LiveGraph.full(index)
            site = SITES[key] = SiteGraph(live, LocalGraphs(live))
            files: Iterator[tuple[str, bytes]] = iter(())
            gone = set[str]()
            if got is not None:
                site.local.kept, site.local.digest, site.urls, site.types = got[:4]
            else:
                files = site.local.iter_all()  # written as made
            write_graph = True
        else:
            live = site.live
            ch = live.update(index, live.changed(index) if changed is None else changed)
            changed_files, gone = site.local.refresh(ch)
            files = iter(changed_files.items())
            write_graph = bool(ch.new or ch.gone or ch.shown or ch.edges)
        url = _url(live)
        written = 0
        for c, text in files:
            written += 1
            old = site.urls.get(c)
            site.urls[c] = url(c)
            write_atomic(text, os.path.join(site_dir, local_path(url(c))))
            if old is not None and old != url(c):  # a permalink changed: the file moves with its page
                gone_path = os.path.join(site_dir, local_path(old))
                with contextlib.suppress(OSError):
                    os.unlink(gone_path)
        for c in gone:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(site_dir, local_path(site.urls.pop(c, f"{c}/"))))
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


def settle(timeout: float | None = None) -> bool:
    """Wait for every layout running behind; True when all graph.json files hold a full build's positions."""
    return all(site.live.settle(timeout) for site in list(SITES.values()))


def _url(live: LiveGraph):  # noqa: ANN202
    return lambda s: live.rows[s][4] or f"{s}/"
