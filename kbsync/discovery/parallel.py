"""One corpus pass in a forked child while the parent runs the others: the child inherits the built state
(nothing is pickled on the way in) and sends back only its result."""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .. import forkrole

_TASK: Callable[[], Any] | None = None  # what the next forked child runs (set just before it forks)


def _run() -> Any:
    assert _TASK is not None
    return _TASK()


def in_child(fn: Callable[[], Any], role: str = "discovery pass") -> Future[Any] | None:
    """`fn()` running in a forked child (named `role`: kbsync/forkrole.py), as a future; None where a child cannot be forked (no fork on this
    platform, or a daemonic process such as `kb serve`'s site worker): the caller then runs it itself."""
    global _TASK
    if multiprocessing.current_process().daemon or "fork" not in multiprocessing.get_all_start_methods():
        return None
    _TASK = fn
    # (the child's collector skips the heap it inherited: walking it cost a tenth of a worker's time at 100,000)
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=forkrole.pool_worker(role))
    try:
        return pool.submit(_run)  # (the child forks here, with `_TASK` set)
    finally:
        _TASK = None
        pool.shutdown(wait=False)  # the child exits once its one task is done
