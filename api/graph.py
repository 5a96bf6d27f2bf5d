"""The link graph of visible entries: compact adjacency arrays, neighbourhoods and shortest paths (networkx)."""
from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import networkx as nx

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

    def add(self, a: int, b: int, kind: str) -> bool:
        """Add the link a -> b (the first kind seen wins); False when a -> b was already there."""
        pair = a * self.n + b
        if pair in self._seen:
            return False
        self._seen.add(pair)
        k = self._kind_ids.get(kind)
        if k is None:
            k = self._kind_ids[kind] = len(self.kinds)
            self.kinds.append(kind)
        self._succ[a].append(b)
        self._succ_kind[a].append(k)
        self._pred[b].append(a)
        self.edge_count += 1
        return True

    def freeze(self) -> None:
        """Compact the lists into arrays; no more `add` after this."""
        self.succ = [array("i", x) for x in self._succ]
        self.succ_kind = [array("H", x) for x in self._succ_kind]
        self.pred = [array("i", x) for x in self._pred]
        del self._succ, self._succ_kind, self._pred, self._seen

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
        g: Any = _Adjacency(self, include_private)
        try:
            return list(nx.bidirectional_shortest_path(g, src, dst))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return None
