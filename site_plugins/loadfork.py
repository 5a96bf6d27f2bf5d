"""The sync and the records' load in a forked process: the build process receives the records alone.

A sync leaves its working memory behind in the process that ran it (~600 MB of RSS at 100,000 entries), and
loading every record from the store peaks at about twice what the records keep (rows and edges read whole).
Done in a child, neither stays in the build process, whose forked page workers would inherit it too; the
records come back through a temporary file (not a pipe: no second copy in memory) and land densely packed.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Callable
from typing import TypeVar

from kbsync.gcpause import gc_paused

from .forking import beside, can_fork

T = TypeVar("T")


def load_forked(load: Callable[[], T]) -> T | None:
    """`load()` run in a forked process, its value read back here; None when this process cannot fork (a thread
    runs: `kb serve`) or the child failed, and the caller then loads here (and reports any error)."""
    if not can_fork(0):
        return None
    path = beside(lambda: _dump(load()), lambda: None)()
    if path is None:
        return None
    try:
        with open(path, "rb") as f, gc_paused():  # many containers, no cycles: no collection while they land
            return pickle.load(f)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def run_forked(step: Callable[[], object]) -> bool:
    """`step()` run in a forked process for its effects (the sync: its working memory stays there); True when it
    ran there to the end, False when this process cannot fork or the child failed (the caller runs it itself)."""
    if not can_fork(0):
        return False
    return bool(beside(lambda: step() or True, lambda: False)())


def _dump(value: object) -> str:
    """In the child: `value` pickled into a new temporary file; its path."""
    fd, path = tempfile.mkstemp(prefix="kb-records-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return path
