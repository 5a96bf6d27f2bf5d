"""Resolve a full sync's edges and stage them, in key order, in chunks.

Resolution runs here, after every name is known, while a writer thread stages the chunk before. A forked helper resolving them while this process staged
them was tried: at 10,000 entries it cost 8% more CPU, at 100,000 about 6 s more (pickling the edges back
and forth, copy-on-write of the heap), and on a shared 2-core machine there is no idle core to win it back.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .reading import Plan
from .resolve import Resolver
from .store.base import Stream


def stage_edges(stream: Stream, owner: dict[str, str], rows: dict[str, dict[str, Any]], raw: dict[str, list[Any]],
                resolver: Resolver, plan: Plan, chunk: int) -> None:
    """Stage every owner's resolved edges (its links, plus chapters for a document index); empties `raw`.

    One writer thread stages a chunk while this thread resolves the next: the store's driver does its
    work without the GIL (SQLite's inserts, a MongoDB round trip), so the two overlap on a second core."""
    from .sync import _chapter_edges, _resolve_edge

    slugs = sorted(owner)  # in key order: the store's (src, seq) index then grows at its end (2x faster)
    with ThreadPoolExecutor(1, thread_name_prefix="kb-stage") as writer:
        staging: Future[None] | None = None
        for i in range(0, len(slugs), chunk):
            out = {}
            for slug in slugs[i:i + chunk]:
                path = owner[slug]
                out[slug] = [_resolve_edge(e, path, resolver) for e in raw.pop(path)] + \
                    _chapter_edges(rows[path], resolver, plan)
            if staging is not None:
                staging.result()  # one chunk in flight: memory stays bounded, and a failure stops the stream here
            staging = writer.submit(stream.put_edges, out)
        if staging is not None:
            staging.result()
