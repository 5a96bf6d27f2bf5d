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
