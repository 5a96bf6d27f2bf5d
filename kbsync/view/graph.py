"""The link graph of visible entries: compact adjacency arrays, neighbourhoods and shortest paths (networkx)."""
from __future__ import annotations

from array import array
from bisect import insort
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

MAX_NODES = 500


class _Adjacency:
    """Undirected, visibility-filtered neighbours in the shape networkx's BFS helpers read (`G.adj[n]`)."""

    __networkx_backend__ = "networkx"

    def __init__(self, graph: LinkGraph, include_private: bool):
        self.graph, self.include_private = graph, include_private
        self.adj = self

    def is_directed(self) -> bool:
        return False

    def __contains__(self, n: object) -> bool:
        return isinstance(n, int) and 0 <= n < self.graph.n and (self.include_private or self.graph.public[n])

    def __getitem__(self, n: int) -> Iterator[int]:
        return self.graph.neighbours(n, self.include_private)


class LinkGraph:
    """Directed links between entry numbers, stored as one int array per node in each direction.

    A networkx DiGraph of 100k entries and 570k links took 180 MB and 2 s to build; these arrays take 20 MB.
    """

    def __init__(self, n: int, public: Sequence[bool]):
        self.n, self.public = n, public
        self.kinds: list[str] = []
        self._kind_ids: dict[str, int] = {}
        self._seen: set[int] = set()
        self._succ: list[list[int]] = [[] for _ in range(n)]
        self._succ_kind: list[list[int]] = [[] for _ in range(n)]
        self._pred: list[list[int]] = [[] for _ in range(n)]
        self.succ: list[array[int]] = []
        self.succ_kind: list[array[int]] = []
        self.pred: list[array[int]] = []
        self.edge_count = 0
        self.recounted: set[int] = set()  # after `patched`: entries whose inbound count changed

    def load(self, triples: Iterable[tuple[str, str | None, str]], by_slug: dict[str, int]) -> list[int]:
        """Add every (src, dst, kind) link between known entries (first kind wins; self-links dropped) and
        return each entry's inbound count from public sources. One tight loop: 700k links at 100k entries."""
        n, pub, seen = self.n, self.public, self._seen
        succ, succ_kind, pred = self._succ, self._succ_kind, self._pred
        kind_ids, get = self._kind_ids, by_slug.get
        inbound = [0] * n
        for src, dst, kind in triples:
            a, b = get(src), get(dst) if dst else None
            if a is None or b is None or a == b:
                continue
            pair = a * n + b
            if pair in seen:
                continue
            seen.add(pair)
            k = kind_ids.get(kind)
            if k is None:
                k = kind_ids[kind] = len(self.kinds)
                self.kinds.append(kind)
            succ[a].append(b)
            succ_kind[a].append(k)
            pred[b].append(a)
            if pub[a]:
                inbound[b] += 1
        self.edge_count = len(seen)
        return inbound

    def freeze(self) -> None:
        """Compact the lists into arrays; no more `load` after this."""
        self.succ = [array("i", x) for x in self._succ]
        self.succ_kind = [array("H", x) for x in self._succ_kind]
        self.pred = [array("i", sorted(x)) for x in self._pred]  # sorted: the same order after `patched`
        del self._succ, self._succ_kind, self._pred, self._seen

    def patched(self, n: int, public: Sequence[bool], out: dict[int, list[tuple[int, str]]],
                inbound: Sequence[int]) -> tuple[LinkGraph, list[int]]:
        """A new graph over `n` entries (n >= self.n) whose sources in `out` link to exactly the given
        (entry, kind) lists (store order; first kind wins, self-links dropped) and every other source as before.
        Returns it and the public inbound counts, `inbound` (this graph's) updated. This graph is unchanged."""
        new = object.__new__(LinkGraph)
        new.n, new.public = n, public
        new.kinds, new._kind_ids = list(self.kinds), dict(self._kind_ids)
        grow = n - self.n
        empty_i, empty_h = array("i"), array("H")
        new.succ = self.succ + [empty_i] * grow
        new.succ_kind = self.succ_kind + [empty_h] * grow
        new.pred = self.pred + [empty_i] * grow
        counts = list(inbound) + [0] * grow
        pred_lists: dict[int, list[int]] = {}
        touched: set[int] = set()
        edges = self.edge_count
        for a, links in out.items():
            for b in new.succ[a]:
                pl = pred_lists.get(b)
                if pl is None:
                    pl = pred_lists[b] = list(new.pred[b])
                pl.remove(a)
                touched.add(b)
            edges -= len(new.succ[a])
            targets: list[int] = []
            kinds: list[int] = []
            seen: set[int] = set()
            for b, kind in links:
                if b == a or b in seen:
                    continue
                seen.add(b)
                k = new._kind_ids.get(kind)
                if k is None:
                    k = new._kind_ids[kind] = len(new.kinds)
                    new.kinds.append(kind)
                targets.append(b)
                kinds.append(k)
                pl = pred_lists.get(b)
                if pl is None:
                    pl = pred_lists[b] = list(new.pred[b])
                insort(pl, a)
                touched.add(b)
            new.succ[a], new.succ_kind[a] = array("i", targets), array("H", kinds)
            edges += len(targets)
        for b, pl in pred_lists.items():
            new.pred[b] = array("i", pl)
        for b in touched:
            counts[b] = sum(1 for a in new.pred[b] if public[a])
        new.edge_count = edges
        new.recounted = {b for b in touched if b >= len(inbound) or counts[b] != inbound[b]}
        return new, counts

    def neighbours(self, n: int, include_private: bool) -> Iterator[int]:
        pub = self.public
        for m in self.succ[n]:
            if include_private or pub[m]:
                yield m
        for m in self.pred[n]:
            if include_private or pub[m]:
                yield m

    def neighbourhood(self, center: int, depth: int, include_private: bool,
                      max_nodes: int = MAX_NODES) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]], bool]:
        """Nodes within `depth` links (either direction) of center, breadth first, capped at max_nodes."""
        dist = {center: 0}
        todo = deque([center])
        truncated = False
        while todo and not truncated:
            n = todo.popleft()
            if dist[n] >= depth:
                continue
            for m in sorted(set(self.neighbours(n, include_private))):
                if m in dist:
                    continue
                if len(dist) >= max_nodes:
                    truncated = True
                    break
                dist[m] = dist[n] + 1
                todo.append(m)
        edges = sorted((a, b, self.kinds[k]) for a in dist
                       for b, k in zip(self.succ[a], self.succ_kind[a], strict=True) if b in dist)
        return sorted(dist.items(), key=lambda x: (x[1], x[0])), edges, truncated

    def path(self, src: int, dst: int, include_private: bool) -> list[int] | None:
        """Shortest chain of links between two entries, following links in either direction."""
        import networkx as nx  # here: only path queries need it, not every read model (`kb search`, the API)

        g: Any = _Adjacency(self, include_private)
        try:
            return list(nx.bidirectional_shortest_path(g, src, dst))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return None
