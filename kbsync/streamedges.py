"""Resolve a full sync's edges and stage them, in key order, in chunks.

With a lot of them and a spare core, a forked helper resolves every chunk (it inherits the resolver and
the raw edges) while this process stages the chunks it sends back: the two halves of the work overlap
instead of running one after the other on one core while the other sits idle.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .reading import Plan, _worker_init
from .resolve import Resolver
from .store.base import Edge, Stream

if TYPE_CHECKING:
    from concurrent.futures import Future

HELPER_MIN = 20_000  # below this the tail is short, and the fork and pickling cost more CPU than it saves (10k: +8%)
# What the forked helper resolves from: set just before the fork, inherited (never pickled), cleared after.
_WORK: tuple[dict[str, str], dict[str, dict[str, Any]], dict[str, list[Any]], Resolver, Plan] | None = None


def stage_edges(stream: Stream, owner: dict[str, str], rows: dict[str, dict[str, Any]], raw: dict[str, list[Any]],
                resolver: Resolver, plan: Plan, chunk: int, workers: int | None) -> None:
    """Stage every owner's resolved edges (its links, plus chapters for a document index); empties `raw`."""
    slugs = sorted(owner)  # in key order: the store's (src, seq) index then grows at its end
    parts = [slugs[i:i + chunk] for i in range(0, len(slugs), chunk)]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(slugs) < HELPER_MIN:
        for part in parts:
            stream.put_edges(dict(_resolve(part, owner, rows, raw, resolver, plan)))
        return
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    global _WORK
    _WORK = (owner, rows, raw, resolver, plan)
    try:
        with ProcessPoolExecutor(1, mp_context=get_context("fork"), initializer=_worker_init,
                                 initargs=(os.getpid(),)) as pool:
            ahead: deque[Future[list[tuple[str, list[tuple[Any, ...]]]]]] = deque()
            for part in parts:
                ahead.append(pool.submit(_resolve_in_helper, part))
                if _WORK is not None:  # the helper is forked and has its own copy now
                    _WORK = None
                    raw.clear()
                if len(ahead) > 3:  # a few chunks ahead, not all of them waiting in memory
                    _put(stream, ahead.popleft())
            while ahead:
                _put(stream, ahead.popleft())
    finally:
        _WORK = None


def _put(stream: Stream, fut: Future[list[tuple[str, list[tuple[Any, ...]]]]]) -> None:
    stream.put_edges({slug: list(map(Edge._make, edges)) for slug, edges in fut.result()})


def _resolve_in_helper(part: list[str]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """In the forked helper: one chunk's edges as plain tuples (several times cheaper to pickle than Edges)."""
    assert _WORK is not None, "the helper runs only in a process forked by stage_edges"
    return [(slug, [tuple(e) for e in edges]) for slug, edges in _resolve(part, *_WORK)]


def _resolve(part: list[str], owner: dict[str, str], rows: dict[str, dict[str, Any]], raw: dict[str, list[Any]],
             resolver: Resolver, plan: Plan) -> Iterator[tuple[str, list[Edge]]]:
    from .sync import _chapter_edges, _resolve_edge

    for slug in part:
        path = owner[slug]
        yield slug, [_resolve_edge(e, path, resolver) for e in raw.pop(path)] + \
            _chapter_edges(rows[path], resolver, plan)
