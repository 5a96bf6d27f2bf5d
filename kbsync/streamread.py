"""Reading for a streamed sync: forked workers read, parse, derive, check and encode; the parent only writes.

Each file's record is finished (type schema, git dates) and encoded into the store's staged form in the
worker, so what comes back is compact (a name row, raw edges as tuples, one encoded row) and the parent
spends its time resolving and writing, never on a record. Slices come back in the order of the plan
(sorted paths) and at most `AHEAD` slices per worker are in flight, so memory stays bounded.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from . import reading
from .build import read_and_build
from .models import Problem
from .reading import Plan, Progress, _worker_init
from .store.base import NAME_KEYS, Edge
from .sync import _has_error, finish_record

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .derive import Options

AHEAD = 2  # slices queued per worker: enough to never leave one idle, few enough to bound memory
# (path, hash, name-row values or None, (raw edge rows, resolution keys), file problems, encoded record,
#  has an error-level problem)
Item = tuple[str, str, tuple[Any, ...] | None, tuple[list[tuple[Any, ...]], list[Any]], list[Problem], Any, bool]
_CTX: tuple[Any, ...] | None = None  # set by the parent before the workers fork; they inherit it


def read_one(job: tuple[str, str, int, Options]) -> Item:
    """Read, build, finish and encode one file; a failure anywhere is that file's problem, never the sync's."""
    schemas, history, encode = _CTX  # type: ignore[misc]
    path, digest, rec, edges, probs = read_and_build(job)
    if rec is None:
        return path, digest, None, ([], []), probs, None, False
    try:
        finish_record(rec, path, schemas, history)
        row = encode(rec)
    except Exception as e:  # noqa: BLE001 - one file's odd value must not stop the sync
        return path, digest, None, ([], []), [Problem(
            path=path, line=0, level="error", code="internal",
            message=f"internal error while storing: {type(e).__name__}: {str(e)[:200]}; entry skipped")], None, False
    return (path, digest, tuple(rec.get(k) for k in NAME_KEYS), raw_rows(edges), probs, row,
            _has_error(rec.get("problems")))


def raw_rows(edges: list[Edge]) -> tuple[list[tuple[Any, ...]], list[Any]]:
    """A file's edges as EDGE_ROW tuples without the resolved columns, and the key each resolves by.

    The key is the target for a wikilink or embed (its answer is the same from every folder unless
    ambiguous), ("m", target) for a Markdown link and ("@", handle) for a mention (see kbsync.streamedges)."""
    rows, keys = [], []
    # Unpacked, not read by attribute: a NamedTuple's field access is a Python-level descriptor call.
    for i, (src, _, kind, raw, key, line, anchor, label, _, _, target, md, _) in enumerate(edges):
        rows.append((src, i, kind, raw, key, line, anchor, label, target, int(md)))
        keys.append(("@", target) if kind == "mention" else ("m", target) if md else target)
    return rows, keys


def _read_slice(jobs: list[tuple[str, str, int, Options]]) -> list[Item]:
    return [read_one(job) for job in jobs]


def stream_read(plan: Plan, max_bytes: int, options: Options, schemas: Any, history: Any,
                encode: Callable[[Any], Any], progress: Progress | None, workers: int | None) -> Iterator[list[Item]]:
    """The plan's files as finished, encoded items, in slices, in plan order."""
    global _CTX
    jobs = [(p, plan.md[p].abs, max_bytes, options) for p in plan.read]
    total, done = len(jobs), 0
    workers = workers if workers is not None else (os.cpu_count() or 1)
    _CTX = (schemas, history, encode)
    try:
        if total < reading.PARALLEL_MIN or workers < 2:
            for i in range(0, total, 100):
                part = _read_slice(jobs[i:i + 100])
                done += len(part)
                yield part
                del part
                if progress:
                    progress(done, total)
            return
        from concurrent.futures import ProcessPoolExecutor  # here: small syncs never need it
        from multiprocessing import get_context

        size = max(16, min(100, total // (8 * workers)))
        slices = deque(jobs[i:i + size] for i in range(0, total, size))
        pending: deque[Future[list[Item]]] = deque()
        # As many workers as cores: the parent's resolving and writing is a fraction of the readers' work.
        with ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_worker_init,
                                 initargs=(os.getpid(),)) as pool:
            while slices or pending:
                while slices and len(pending) < AHEAD * workers:
                    pending.append(pool.submit(_read_slice, slices.popleft()))
                part = pending.popleft().result()
                done += len(part)
                yield part
                del part  # before the next slice arrives: records leave memory once staged
                if progress:
                    progress(done, total)
    finally:
        _CTX = None
