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

    def __init__(self, n: int, edges: dict[tuple[int, int], str], public: Sequence[bool]):
        self.n, self.public = n, public
        self.kinds: list[str] = []
        kind_ids: dict[str, int] = {}
        succ: list[list[int]] = [[] for _ in range(n)]
        succ_kind: list[list[int]] = [[] for _ in range(n)]
        pred: list[list[int]] = [[] for _ in range(n)]
        for (a, b), k in edges.items():
            if k not in kind_ids:
                kind_ids[k] = len(self.kinds)
                self.kinds.append(k)
            succ[a].append(b)
            succ_kind[a].append(kind_ids[k])
            pred[b].append(a)
        self.succ = [array("i", x) for x in succ]
        self.succ_kind = [array("H", x) for x in succ_kind]
        self.pred = [array("i", x) for x in pred]

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
