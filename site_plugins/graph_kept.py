"""A big cold build's graph state, kept as the bytes its layout process sent until an edit needs it.

The process laying the graph out beside the pages (graph_beside.py) writes graph.json and every local graph
file, and builds the very state the end of the build would build again: the live graph (rows, links,
adjacency, positions) and what each local file kept (~6 MB of objects per 1,000 entries, the end of a
100,000-entry build's largest growth). The build process keeps it pickled instead (one dense block) and
unpickles it when a later build or an edit of the same site asks for it (`Sites`), so a one-shot build never
holds it as objects; what it then holds equals what the end of the build made before (tests/site/test_graph_kept.py).
"""
from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pending:
    """A site's graph state as bytes (`dump`), and its graph.json's path."""

    data: bytes
    path: str


def dump(site: Any) -> bytes:
    """In the layout process: a SiteGraph's state (its live graph, what its local files kept) as bytes."""
    live, local = site.live, site.local
    state = live.__getstate__()
    data = pickle.dumps((state, local.kept, local.digest, site.urls, site.types), protocol=pickle.HIGHEST_PROTOCOL)
    return zlib.compress(data, 1)  # held all build long: 12 MB to 3.6 at 10,000 entries, for 0.1 s


def load(pending: Pending, site_graph: Callable[..., Any], live_graph: Callable[[], Any],
         local_graphs: Callable[[Any], Any]) -> Any:
    """The SiteGraph `pending` holds, as the end of the build made it (the classes passed: no import cycle)."""
    data = zlib.decompress(pending.data)
    state, kept, digest, urls, types = pickle.loads(data)  # noqa: S301 - this build's own process wrote it
    live = live_graph()
    live.__setstate__(state)
    live.path = pending.path
    local = local_graphs(live)
    local.kept, local.digest = kept, digest
    return site_graph(live, local, types, urls)


class Sites(dict[str, Any]):
    """Site folder -> its SiteGraph; a `Pending` value is made live when first read (`make`: Pending -> SiteGraph)."""

    def __init__(self, make: Callable[[Pending], Any]) -> None:
        super().__init__()
        self.make = make

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, Pending):
            value = self.make(value)
            super().__setitem__(key, value)
        return value

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[key] if key in self else default

    def live(self) -> list[Any]:
        """The graphs made live (a pending one has no layout running behind it)."""
        return [v for v in self.values() if not isinstance(v, Pending)]
