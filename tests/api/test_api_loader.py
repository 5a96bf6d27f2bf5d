"""The SQLite snapshot fast path reads exactly what the Store interface gives."""
from __future__ import annotations

from typing import Any

from api.loader import _load_generic, load


def test_fast_path_matches_the_store_interface(store: Any) -> None:
    fast, generic = load(store), _load_generic(store)
    assert fast.revision == generic.revision == store.revision()
    fast_recs = {r["slug"]: r for r in fast.records}
    generic_recs = {r["slug"]: r for r in generic.records}
    assert fast_recs.keys() == generic_recs.keys()
    for slug, rec in fast_recs.items():
        for k in ("title", "aliases", "tags", "type", "visibility", "url", "text", "headings"):
            assert rec.get(k) == generic_recs[slug].get(k), (slug, k)
    assert "draft" not in {r["visibility"] for r in fast_recs.values()}
    assert sorted(fast.edges) == sorted(generic.edges)
