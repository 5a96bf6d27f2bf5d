"""A canonical dump of a store's content, to compare two stores (incremental vs full sync, crash recovery)."""
from __future__ import annotations

from typing import Any

from .base import Store


def snapshot(store: Store) -> dict[str, Any]:
    """Entries (with links/backlinks), edges and problems; revision and file stat bookkeeping left out."""
    return {
        "entries": {r["slug"]: r for r in store.entries()},
        "edges": sorted((e.src, e.seq, e.dst or "", e.kind, e.raw, e.line, e.ambiguous) for e in store.edges_from()),
        "problems": store.problems(),
        "files": sorted((f.path, f.slug or "", f.hash) for f in store.file_states().values()),
    }
