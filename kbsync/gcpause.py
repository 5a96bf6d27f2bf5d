"""Pause the cyclic garbage collector around bulk loads, safely from several threads at once.

A sync, a site build's record load and the API's read-model build each allocate millions of acyclic objects
while holding them: the collector would rescan that growing heap again and again and free nothing.
`gc.disable()`/`gc.enable()` pairs are process-wide, so in `kb serve` (a watcher thread syncing while
another builds the read model) unmatched pairs could leave the collector off for good; this counts them.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def keep_heap() -> None:
    """The objects this process holds now stay for a long time (a site build's state, kept for the follow-ups of
    edits): file them where the collector's full passes do not scan them. At 10,000 entries a full pass over that
    heap took 0.38-0.42 s, set off by every second or third follow-up (page renders allocate), inside the edit's
    time; after this, 0.03-0.13 s. No collection first (0.36 s): a build leaves a few hundred cyclic objects,
    kept until `release_heap()`, which undoes this before that state is replaced."""
    gc.freeze()


def release_heap() -> None:
    """The objects `keep_heap` filed away become collectable again (the state they made up is about to be
    replaced: its cycles would otherwise never be freed)."""
    gc.unfreeze()
