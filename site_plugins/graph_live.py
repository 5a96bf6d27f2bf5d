"""The site's public link graph, kept between builds of a process and updated in place after an edit.

What incremental == full build means here: after `update`, graph.json's nodes, edges and attributes (ids,
titles, types, folders, tags, URLs) equal a full build's at once; its positions equal a full build's once the
layout behind it settles. Until then entries keep their last positions and new ones sit at the mean of their
linked neighbours (deterministic jitter), while the full layout (`graph_layout.positions`, the same function
a full build calls, so the same picture) runs in a niced child process and then replaces them all and
rewrites graph.json. `settle()` waits for that (tests, benchmarks). A full build (`kb build`) lays out
synchronously, as before.
"""
from __future__ import annotations

import logging
import math
import posixpath
import random
import threading
import zlib
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from .graph_child import layout_in_child as _layout_in_child
from .graph_layout import SCALE, layout
from .index import SiteIndex

log = logging.getLogger("mkdocs.plugins.kb")
FORMAT = 2
Row = tuple[str, str, str, tuple[str, ...], str | None]  # title, type, folder, tags, URL (None: `<slug>/`)


@dataclass
class Change:
    """What an update changed: what local graphs (graph_local.py) and the layout depend on."""

    new: set[str] = field(default_factory=set)  # entries now public that were not
    gone: set[str] = field(default_factory=set)  # entries public before, hidden or deleted now
    attr: set[str] = field(default_factory=set)  # title, type or URL changed
    edges: set[tuple[str, str]] = field(default_factory=set)  # links added or removed (slug pairs, sorted)
    moved: set[str] = field(default_factory=set)  # public entries with an edge added or removed
    shown: set[str] = field(default_factory=set)  # any of graph.json's attributes changed (folder, tags too)


class LiveGraph:
    """Public entries (rows) and undirected links between them (adjacency), with positions for graph.json."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.seen: dict[str, tuple[Any, ...]] = {}  # slug -> the record fields a row and its links come from
        self.links: dict[str, frozenset[str]] = {}  # public slug -> its link targets (public or not)
        self.into: dict[str, set[str]] = {}  # target -> public slugs linking to it
        self.adj: dict[str, set[str]] = {}  # public slug -> public neighbours
        self.pos: dict[str, tuple[int, int]] = {}
        self.version = 0  # bumped when the nodes or edges change (what the layout depends on)
        self.settled = True  # positions are the full layout of the current nodes and edges
        self.path: str | None = None  # graph.json to rewrite when the layout behind settles
        self.lock = threading.RLock()
        self.idle = threading.Event()
        self.idle.set()
        self._worker: threading.Thread | None = None
        self._ids: list[str] | None = None  # sorted(rows), until the nodes change
        self._links: list[tuple[str, str]] = []  # every edge as a sorted slug pair, kept sorted (= index order)

    # Not part of a graph's state: the lock, event and layout thread are a process's own, `_ids` is a cache, and
    # `path` is where the process holding the graph writes it.
    _OWN = ("lock", "idle", "_worker", "_ids", "path")

    def __getstate__(self) -> dict[str, Any]:  # a cold build's layout process hands its graph over (graph_kept.py)
        return {k: v for k, v in self.__dict__.items() if k not in self._OWN}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]
        self.__dict__.update(state)

    @classmethod
    def full(cls, index: SiteIndex) -> LiveGraph:
        """A full build's graph: every entry read, laid out here and now."""
        g = cls()
        g.update(index, index.records)
        g.pos = dict(zip(g.ids(), layout(g.ids(), g.pairs()), strict=True))
        g.settled = True
        return g

    # -- reading the index -----------------------------------------------------------------------
    def changed(self, index: SiteIndex) -> set[str]:
        """Slugs whose graph inputs differ from what this graph was built from (a cheap == per record)."""
        out = {s for s in self.seen if s not in index.records}
        for s, r in index.records.items():
            if self.seen.get(s) != _inputs(index, s, r):
                out.add(s)
        return out

    def update(self, index: SiteIndex, changed: Iterable[str]) -> Change:
        """Apply the records of `changed` (slugs; gone from `index.records`: deleted) as `index` has them now.

        Reads only those records, so the editing path can call it without a full load (`index.records` and
        `index.public` must be current for them, and for the targets of their links)."""
        with self.lock:
            ch = Change()
            todo = []
            for s in changed:
                r = index.records.get(s)
                key = _inputs(index, s, r) if r is not None else None
                if self.seen.get(s) != key:  # else a body edit: nothing the graph shows
                    todo.append((s, r, key))
            before = {s: set(self.adj.get(s, ())) for s, _, _ in todo}
            for s in before:  # drop the edges of every changed entry first
                for x in self.adj.pop(s, set()):
                    if x in self.adj:
                        self.adj[x].discard(s)
            for s, r, key in todo:
                for t in self.links.pop(s, frozenset()):
                    self.into.get(t, set()).discard(s)
                old = self.rows.pop(s, None)
                if key is None:
                    self.seen.pop(s, None)
                else:
                    self.seen[s] = key
                if r is None or not index.is_public(s):
                    if old is not None:
                        ch.gone.add(s)
                        self.pos.pop(s, None)
                    continue
                row = self.rows[s] = _row(index, s, r)
                if old is None:
                    ch.new.add(s)
                elif (row[0], row[1], row[4]) != (old[0], old[1], old[4]):
                    ch.attr.add(s)
                if row != old:
                    ch.shown.add(s)
                targets = self.links[s] = key[6] if key is not None else frozenset()
                for t in targets:
                    self.into.setdefault(t, set()).add(s)
                self.adj[s] = set()
            for s, _, _ in todo:  # then the edges of every changed entry that is public now
                if s in self.rows:
                    near = {t for t in self.links[s] if t in self.rows} | (self.into.get(s, set()) & self.rows.keys())
                    for x in near:
                        self.adj[s].add(x)
                        self.adj[x].add(s)
            for s, old_near in before.items():
                for x in old_near ^ self.adj.get(s, set()):
                    ch.edges.add((min(s, x), max(s, x)))
            ch.moved = {x for e in ch.edges for x in e if x in self.rows}
            if ch.new or ch.gone:
                self._ids = None
            for a, b in sorted(ch.edges):  # a sorted slug pair list stays in index order whatever nodes come
                i = bisect_left(self._links, (a, b))
                present = i < len(self._links) and self._links[i] == (a, b)
                if b in self.adj.get(a, ()) and not present:
                    self._links.insert(i, (a, b))
                elif present and b not in self.adj.get(a, ()):
                    del self._links[i]
            if ch.edges or ch.new or ch.gone:
                self.version += 1
                self.settled = False
            if ch.new:  # only entries shown or added lack a position (a scan of every row at 100,000)
                self._place()
            return ch

    # -- positions -------------------------------------------------------------------------------
    def _place(self) -> None:
        """New entries: at the mean of their placed neighbours (a little apart), or on the rim."""
        new = sorted(s for s in self.rows if s not in self.pos)
        while new:
            later = []
            for s in new:
                near = [self.pos[x] for x in sorted(self.adj[s]) if x in self.pos]
                if not near:
                    later.append(s)
                    continue
                rng = random.Random(zlib.crc32(s.encode()))
                x = sum(p[0] for p in near) / len(near) + rng.uniform(-1, 1) * SCALE * 0.004
                y = sum(p[1] for p in near) / len(near) + rng.uniform(-1, 1) * SCALE * 0.004
                self.pos[s] = (_clamp(x), _clamp(y))
            if len(later) == len(new):  # nothing placed links to them: the rim, where unlinked entries sit
                for s in later:
                    t = random.Random(zlib.crc32(s.encode())).uniform(0, 2 * math.pi)
                    self.pos[s] = (_clamp(SCALE / 2 * (1 + 0.98 * math.cos(t))),
                                   _clamp(SCALE / 2 * (1 + 0.98 * math.sin(t))))
                break
            new = later

    def relayout_behind(self) -> None:
        """Start the full layout behind (once; a newer edit meanwhile makes it run again when it ends)."""
        with self.lock:
            if self.settled or self._worker is not None:
                return
            self.idle.clear()
            self._worker = threading.Thread(target=self._relayout, name="kb-graph-layout", daemon=True)
            self._worker.start()

    def _relayout(self) -> None:
        xy: list[tuple[int, int]] | None = []
        while True:
            with self.lock:
                if self.settled or xy is None:  # done, or failed (logged; the next edit tries again)
                    self._worker = None
                    self.idle.set()
                    return
                version, ids, pairs = self.version, self.ids(), self.pairs()
            try:
                xy = _layout_in_child(len(ids), pairs)
            except Exception:  # noqa: BLE001 - a thread's exception would vanish; the picture stays provisional
                log.warning("kb: graph layout behind the site failed", exc_info=True)
                xy = None
            with self.lock:
                if xy is not None and version == self.version:
                    self.pos = dict(zip(ids, xy, strict=True))
                    self.settled = True
                    if self.path is not None:
                        self.write(self.path)

    def settle(self, timeout: float | None = None) -> bool:
        """Wait for the layout behind to finish; True when the positions are a full build's."""
        self.idle.wait(timeout)
        return self.settled

    # -- output ----------------------------------------------------------------------------------
    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = sorted(self.rows)
        return list(self._ids)

    def pairs(self) -> list[tuple[int, int]]:
        ix = {s: i for i, s in enumerate(self.ids())}
        return [(ix[a], ix[b]) for a, b in self._links]

    def types(self) -> list[str]:
        """Type names by count, then name: a type's index picks its colour on every graph."""
        counts: dict[str, int] = {}
        for r in self.rows.values():
            counts[r[1]] = counts.get(r[1], 0) + 1
        return sorted(counts, key=lambda k: (-counts[k], k))

    def data(self) -> dict:
        """graph.json's columns (format in kb-graph.js's header)."""
        with self.lock:
            ids = self.ids()
            rows = [self.rows[s] for s in ids]
            types = self.types()
            folders = sorted({r[2] for r in rows})
            tags = sorted({t for r in rows for t in r[3]})
            type_ix, folder_ix, tag_ix = _ix(types), _ix(folders), _ix(tags)
            return {
                "v": FORMAT, "types": types, "tags": tags, "folders": folders,
                "ids": ids, "t": [r[0] for r in rows], "y": [type_ix[r[1]] for r in rows],
                "f": [folder_ix[r[2]] for r in rows], "g": [[tag_ix[t] for t in r[3]] for r in rows],
                "xy": [c for s in ids for c in self.pos[s]], "e": [c for p in self.pairs() for c in p],
                "u": {str(i): r[4] for i, r in enumerate(rows) if r[4] is not None},
            }

    def json(self) -> bytes:
        # orjson: the same bytes as json.dumps(ensure_ascii=False, compact), ~7x faster (1.4 MB at 10,000)
        return orjson.dumps(self.data())

    def write(self, path: str) -> None:
        """Write graph.json whole (readers of a served site never see a part)."""
        from .publish import write_atomic

        with self.lock:
            write_atomic(self.json(), path)


def _inputs(index: SiteIndex, slug: str, r: dict) -> tuple[Any, ...]:
    """What the graph reads of a record (its link targets, not the link dicts: the last build's stay unreferenced)."""
    return (index.is_public(slug), r.get("title"), r.get("type"), r.get("path"), _tags(r), r.get("url"),
            _targets(slug, r))


def _tags(r: dict) -> tuple[str, ...]:
    return tuple(sorted({str(t) for t in r.get("tags") or []}))


def _targets(slug: str, r: dict) -> frozenset[str]:
    return frozenset(t for ln in r.get("links") or [] if (t := ln.get("target")) and t != slug
                     and not ln.get("attachment"))


def _row(index: SiteIndex, slug: str, r: dict) -> Row:
    url = index.page_url(slug)
    return (index.title(slug), str(r.get("type") or "note"), posixpath.dirname(str(r.get("path") or "")),
            _tags(r), None if url == f"{slug}/" else url)


def _ix(values: list[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(values)}


def _clamp(v: float) -> int:
    return max(0, min(SCALE, round(v)))
