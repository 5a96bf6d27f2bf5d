"""Resolve a full sync's edges and stage them, in key order, in chunks.

The readers send each file's edges as staged rows without the three columns resolution decides, plus
the key each one resolves by (kbsync.streamread.raw_rows). Once every name is known, a row is resolved
by appending the answer for its key: one dict lookup per edge, the resolver once per distinct key
(links follow a Zipf law). A writer thread stages a chunk while this thread resolves the next: SQLite
inserts without the GIL, so the two overlap on a second core. A forked helper resolving the edges was
tried: at 10,000 entries it cost 8% more CPU (pickling them back and forth, copy-on-write of the heap).
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .reading import Plan
from .resolve import Resolver
from .store.base import Edge, Stream, resolved_cols
from .syncresolve import _chapter_edges

_BROKEN = resolved_cols(None, False, ())


class RowResolver:
    """The resolved columns of a raw edge row, by its resolution key (see the module docstring)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.known: dict[Any, tuple[Any, ...]] = {}  # key -> columns, for answers the same from every folder

    def rows(self, path: str, rows: list[tuple[Any, ...]], keys: list[Any]) -> list[tuple[Any, ...]]:
        """`rows` (written in the file at `path`) with their resolved columns appended."""
        get, slow = self.known.get, self.resolve
        return [row + (get(key) or slow(key, path)) for row, key in zip(rows, keys, strict=True)]

    def resolve(self, key: Any, path: str) -> tuple[Any, ...]:
        how, target = key if isinstance(key, tuple) else ("", key)
        if how == "@":
            r = self.resolver.person(target, path)
        else:
            r = self.resolver.resolve(target, path, md_link=how == "m")
        cols = _BROKEN if r is None else resolved_cols(r.slug or r.attachment, r.attachment is not None, r.ambiguous)
        # An empty target is the file itself, a Markdown link is relative to its folder, and among several
        # candidates the closest to the folder wins: only the rest can be answered once for every file.
        if target and how != "m" and not (r is not None and r.ambiguous):
            self.known[key] = cols
        return cols


def chapter_rows(slug: str, start: int, edges: list[Edge]) -> list[tuple[Any, ...]]:
    """Resolved chapter edges as staged rows, numbered after the file's `start` links."""
    return [(slug, start + i, e.kind, e.raw, e.key, e.line, e.anchor, e.label, e.target, int(e.md))
            + resolved_cols(e.dst, e.attachment, e.ambiguous) for i, e in enumerate(edges)]


def stage_edges(stream: Stream, owner: dict[str, str], rows: dict[str, dict[str, Any]],
                raw: dict[str, tuple[list[tuple[Any, ...]], list[Any]]], resolver: Resolver, plan: Plan,
                chunk: int) -> None:
    """Stage every owner's resolved edges (its links, plus chapters for a document index); empties `raw`."""
    by_key = RowResolver(resolver)
    slugs = sorted(owner)  # in key order: the store's (src, seq) index then grows at its end (2x faster)
    with ThreadPoolExecutor(1, thread_name_prefix="kb-stage") as writer:
        staging: Future[None] | None = None
        for i in range(0, len(slugs), chunk):
            out: list[tuple[Any, ...]] = []
            for slug in slugs[i:i + chunk]:
                path = owner[slug]
                links, keys = raw.pop(path)
                out += by_key.rows(path, links, keys)
                chapters = _chapter_edges(rows[path], resolver, plan)
                if chapters:
                    out += chapter_rows(slug, len(links), chapters)
            if staging is not None:
                staging.result()  # one chunk in flight: memory stays bounded, and a failure stops the stream here
            staging = writer.submit(stream.put_edge_rows, out)
        if staging is not None:
            staging.result()
