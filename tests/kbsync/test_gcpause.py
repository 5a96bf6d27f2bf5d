"""The GC pause is counted: overlapping pauses from several threads leave the collector as they found it."""
from __future__ import annotations

import gc
import threading

from kbsync.gcpause import gc_paused


def test_overlapping_pauses_restore_the_collector() -> None:
    assert gc.isenabled()
    inner_started, outer_may_finish = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other_thread() -> None:
        with gc_paused():
            inner_started.set()
            outer_may_finish.wait(5)
            seen.append(gc.isenabled())  # the first pause ended while this one still runs

    with gc_paused():
        t = threading.Thread(target=other_thread)
        t.start()
        inner_started.wait(5)
    assert not gc.isenabled()  # the other thread's pause is still in force
    outer_may_finish.set()
    t.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_pause_keeps_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
