"""Local graphs: beside each public entry page, `kb-local.json` with its neighbourhood (depth 2, capped), so an
entry page downloads a few KB instead of the whole graph.json (16 MB at 100,000 entries).

A file keeps the entry, then its neighbours, then theirs, best-connected first (key: distance, fewest links
last, slug), CAP in all, and marks the depth each shows at (1: the VIEW1 best-linked neighbours; 2: the
rest); nodes are listed by that depth, then slug, so a file changes only when what it shows changes. The
second ring is not expanded through a hub (an entry with more links than a depth-1 view shows, `is_hub`): the
hub itself is shown, its neighbours only when a non-hub neighbour reaches them. So a file depends only on
entries within two links of its centre through non-hubs, never on a link change far from it (a hub's
thousands of neighbours, picked by site-wide rank, made one link move thousands of files). After an edit
only the files that can change are recomputed: those showing a changed entry, those with a changed link
inside, those a re-linked entry enters or leaves (its new key against the file's cut, the key of the last node
it kept), those beside an entry that became or stopped being a hub, and a hub's whose depth-1 view it may
enter or leave. Colours come from `graph-types.json` (type names by count), shared with the global graph.
"""
from __future__ import annotations

import hashlib
import heapq
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import chain, repeat

import orjson

from .graph_live import Change, LiveGraph
from .graph_order import Cuts, Order, old_degrees

LOCAL_JSON = "kb-local.json"
TYPES_JSON = "graph-types.json"
CAP = 120  # nodes in a local graph, the entry included: readable in a side panel
VIEW1 = 80  # of them at depth 1 (the best-linked neighbours of a hub); the others show at depth 2

Key = tuple[int, int, str]  # (distance, -links, slug): smaller is kept first


def is_hub(links: int) -> bool:
    """An entry with this many links is a hub: more than its depth-1 view shows, so not expanded into a ring."""
    return links > min(VIEW1, CAP) - 1


def local_path(page_url: str) -> str:
    """Site path of a page's local graph file (`a/b/` -> `a/b/kb-local.json`)."""
    return f"{page_url}{LOCAL_JSON}" if page_url.endswith("/") or not page_url else f"{page_url}.{LOCAL_JSON}"


class LocalGraphs:
    """The local graph file of every public entry of one LiveGraph, and what each one kept."""

    def __init__(self, graph: LiveGraph) -> None:
        self.g = graph
        # centre -> (its file's nodes in file order: itself, the neighbours shown at depth 1, the other
        # neighbours, then distance 2, each group by slug; where the 2nd and 3rd groups start; whether depth 1
        # is full (VIEW1); the file's cut, None when nothing was left out). ~1 KB a centre.
        self.kept: dict[str, tuple[tuple[str, ...], int, int, bool, Key | None]] = {}
        self.digest: dict[str, bytes] = {}  # centre -> hash of its file
        self._by: Order | None = None  # every public slug, most linked first (kept across edits)
        self._cuts: Cuts | None = None  # the files cut in their second ring, by cut (kept across edits)
        self.recomputed: list[str] = []  # the centres the last `refresh` made again

    def types_json(self) -> bytes:
        return orjson.dumps({"v": 1, "types": self.g.types()})

    def refresh_all(self) -> dict[str, bytes]:
        """Every file (a full build): centre -> its JSON."""
        return dict(self.iter_all())

    def iter_all(self) -> Iterator[tuple[str, bytes]]:
        """Every file (a full build) as (centre, its JSON), one at a time: at 100,000 entries they are ~1 GB."""
        self._by = None
        return self._iter(sorted(self.g.rows))

    def refresh(self, ch: Change) -> tuple[dict[str, bytes], set[str]]:
        """After `LiveGraph.update` returned `ch`: (centre -> new JSON of the files that changed, centres gone);
        `recomputed` then names every centre whose file was made again (changed or not)."""
        self._moved(ch)
        centres = sorted(self.affected(ch))
        self._drop(ch)
        out = self._refresh(centres, force=ch.attr | ch.new)  # force: a URL change moves the file
        self.recomputed = centres
        return out, set(ch.gone)

    def adopt(self, ch: Change, kept: dict[str, tuple[tuple[str, ...], int, int, bool, Key | None]],
              digest: dict[str, bytes]) -> set[str]:
        """After `LiveGraph.update` returned `ch`, what `refresh(ch)` left in a copy of this state made in another
        process (graph_site.local_beside): `kept` of the centres it recomputed, `digest` of the files it wrote;
        returns the centres gone. This state then equals what `refresh(ch)` here would have left."""
        self._moved(ch)
        self._drop(ch)
        cuts = self._cuts if self._cuts is not None and self._cuts.kept is self.kept else None
        for c, k in kept.items():
            self.kept[c] = k
            if cuts is not None:
                cuts.set(c, k[4])
        self.digest.update(digest)
        return set(ch.gone)

    def _moved(self, ch: Change) -> None:
        if self._by is not None and (ch.edges or ch.new or ch.gone):  # only the entries whose links moved move
            self._by.move(old_degrees(self.g.adj, ch.edges, ch.new, ch.gone))

    def _drop(self, ch: Change) -> None:
        cuts = self._cut_index()
        for s in ch.gone:
            self.kept.pop(s, None)
            self.digest.pop(s, None)
            cuts.set(s, None)

    def affected(self, ch: Change) -> set[str]:
        """Centres whose file may differ after `ch`, judged against the files as they were (the graph before
        `ch` is the graph now with `ch.edges` toggled back)."""
        rows, adj = self.g.rows, self.g.adj
        partners: dict[str, set[str]] = {}
        for a, b in ch.edges:
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)

        def old_near(x: str) -> set[str]:
            now = adj.get(x, set())
            return now ^ partners[x] if x in partners else now

        def was_hub(y: str) -> bool:
            return is_hub(len(old_near(y)))

        def hub(y: str) -> bool:
            return is_hub(len(adj.get(y, ())))

        seen: dict[str, dict[str, int]] = {}

        def showing(x: str) -> dict[str, int]:  # centre -> distance, for the files that showed x
            if x not in seen:
                seen[x] = {c: d for c, d in _ball(x, old_near, was_hub).items() if self._dist(c, x) == d}
            return seen[x]

        def two(c: str, y: str) -> bool:  # y is two links from c now, through a non-hub
            return y not in adj[c] and any(not hub(z) for z in adj[c] & adj.get(y, set()))

        def member(c: str, y: str) -> None:  # does y enter, leave or move in c's file, as far as y goes?
            if c not in rows or c == y:
                return
            old, cut = self._dist(c, y), self._cut(c)
            now = 1 if y in adj[c] else 2 if two(c, y) else None
            key = (now, -len(adj.get(y, ())), y) if now is not None else None
            if old is not None:
                if key is None or now != old or (cut is not None and key > cut):
                    out.add(c)
            elif key is not None and (cut is None or key < cut):
                out.add(c)

        out = {s for s in ch.new | ch.attr | ch.moved if s in rows}
        for x in ch.attr | ch.gone:
            out |= showing(x).keys()
        weight: dict[str, int] = {}

        def ball_size(x: str) -> int:
            if x not in weight:
                weight[x] = sum(len(adj.get(y, ())) for y in old_near(x))
            return weight[x]

        for a, b in ch.edges:
            if a not in ch.gone and b not in ch.gone:  # (the files showing a hidden entry are all in already)
                # a link inside a file: read the files showing the end with the smaller neighbourhood (not a hub's)
                a, b = sorted((a, b), key=ball_size)
                out |= {c for c in showing(a) if self._dist(c, b) is not None}
            for x, y in ((a, b), (b, a)):  # distances change only for the ends' neighbours (to the other end)
                # (not through a hub: its links never count; a shown or hidden x's neighbours all moved)
                if y not in ch.gone and x not in ch.gone and x not in ch.new and not (was_hub(x) and hub(x)):
                    for c in old_near(x) | adj.get(x, set()):
                        member(c, y)
        for x in ch.moved:  # became or stopped being a hub: its neighbours' second rings gain or lose its links
            if was_hub(x) != hub(x):
                out |= old_near(x) | adj.get(x, set())
        cuts = self._cut_index()
        big = min(VIEW1, CAP) - 1  # fewer links: every neighbour shown at depth 1, x stays there whatever its key
        for x in (ch.moved | ch.new) & rows.keys():
            deg, was = -len(adj[x]), -len(old_near(x))
            linked = partners.get(x, set())
            for c in adj[x] | old_near(x):  # at distance 1; a hub's depth-1 view may gain or lose it
                if c in linked or len(adj.get(c, ())) >= big:  # (a neighbour that moved is in `out` already)
                    member(c, x)
                    k = self.kept.get(c)
                    if k is not None and k[3]:
                        out.add(c)
            if x in ch.new:  # enters the files two links away that keep a key like its own
                for c, d in _ball(x, adj.__getitem__, hub).items():
                    cut = self._cut(c)
                    if d == 2 and (cut is None or (d, deg, x) < cut):
                        out.add(c)
                continue
            # Two links away with the same distance (a changed distance is the links' loop above): x enters or
            # leaves only a file whose cut lies between its old and new key, and that x is two links from (as
            # written, or now).
            lo, hi = sorted([(2, deg, x), (2, was, x)])
            out.update(c for c in cuts.between(lo, hi) if c in rows and (self._dist(c, x) == 2 or two(c, x)))
        return out & rows.keys()

    def _dist(self, c: str, x: str) -> int | None:
        """x's distance in c's file as last written, None when the file does not show it."""
        k = self.kept.get(c)
        if k is None:
            return None
        ids = k[0]
        if ids[0] == x:
            return 0
        for lo, hi, d in ((1, k[1], 1), (k[1], k[2], 1), (k[2], len(ids), 2)):
            i = bisect_left(ids, x, lo, hi)
            if i < hi and ids[i] == x:
                return d
        return None

    def _cut_index(self) -> Cuts:
        if self._cuts is None or self._cuts.kept is not self.kept:  # a build replaces `kept` whole
            self._cuts = Cuts(self.kept)
        return self._cuts

    def _cut(self, c: str) -> Key | None:
        k = self.kept.get(c)
        return k[4] if k is not None else None

    def _refresh(self, centres: Iterable[str], force: set[str] | frozenset[str] = frozenset()) -> dict[str, bytes]:
        return dict(self._iter(centres, force))

    def _iter(self, centres: Iterable[str], force: set[str] | frozenset[str] = frozenset()
              ) -> Iterator[tuple[str, bytes]]:
        cuts = self._cuts if self._cuts is not None and self._cuts.kept is self.kept else None
        for c in centres:
            k = self.kept[c] = self._keep(c)
            if cuts is not None:
                cuts.set(c, k[4])
            text = self._json(k[0], k[1])
            digest = hashlib.blake2b(text, digest_size=12).digest()
            if self.digest.get(c) != digest or c in force:
                self.digest[c] = digest
                yield c, text

    def _keep(self, c: str) -> tuple[tuple[str, ...], int, int, bool, Key | None]:
        """The nodes of `c`'s file in file order, where its groups start, and its cuts (see `kept`)."""
        adj = self.g.adj
        near = adj[c]
        need = CAP - 1
        rank = self._rank()  # by (most links, slug): a C-level sort key
        first = sorted(near, key=rank.__getitem__)
        view = sorted(first[:VIEW1 - 1])
        a, full = 1 + len(view), len(first) >= VIEW1 - 1
        if len(first) >= need:
            last = first[need - 1]
            return (c, *view, *sorted(first[VIEW1 - 1:need])), a, 1 + need, full, (1, -len(adj[last]), last)
        want = need - len(first)
        ring = set().union(*(adj[y] for y in near if not is_hub(len(adj[y])))) - near
        ring.discard(c)
        second = heapq.nsmallest(want, ring, key=rank.__getitem__)
        cut = (2, -len(adj[second[-1]]), second[-1]) if len(second) == want and second else None
        return (c, *view, *sorted(first[VIEW1 - 1:]), *sorted(second)), a, 1 + len(first), full, cut

    def _rank(self) -> dict[str, int]:
        """Every public slug's place in (most links, slug) order."""
        if self._by is None:
            self._by = Order(self.g.adj)
        return self._by.ranks

    def _json(self, ids: tuple[str, ...], a: int) -> bytes:
        rows, adj = self.g.rows, self.g.adj
        ix = {s: i for i, s in enumerate(ids)}
        later = set(ids)  # set & set walks the smaller one: a hub's thousands of neighbours are not read
        types: dict[str, int] = {}
        y = [types.setdefault(rows[s][1], len(types)) for s in ids]
        e: list[int] = []  # each link once, from its earlier end, in (earlier, later) order, flat
        for i, s in enumerate(ids):
            later.discard(s)
            common = adj[s] & later
            if common:  # (C-level loops: a file near a hub holds thousands of links)
                js = sorted(map(ix.__getitem__, common))
                e += chain.from_iterable(zip(repeat(i, len(js)), js, strict=True))
        return orjson.dumps({"v": 1, "types": list(types), "ids": ids, "t": [rows[s][0] for s in ids], "y": y,
                             "d": [0] + [1] * (a - 1) + [2] * (len(ids) - a), "e": e,
                             "u": {str(i): rows[s][4] for i, s in enumerate(ids) if rows[s][4] is not None}})


def _ball(x: str, near, hub) -> dict[str, int]:  # noqa: ANN001 (slug -> neighbours; slug -> is a hub)
    """Entries within two links of x, with their distance, not through a hub (the second-ring rule)."""
    dist = {x: 0}
    first = near(x)
    for y in first:
        dist[y] = 1
    for y in first:
        if not hub(y):
            for z in near(y):
                dist.setdefault(z, 2)
    return dist
