"""A build whose state is kept for edits (`kb serve`) files that heap out of the collector's full passes, and gives
it back when the next build replaces it: cycles the old state held are freed then, not kept for good."""
from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

from kbsite import GEN

from kbsync.gcpause import keep_heap, release_heap
from site_plugins.config import build_site


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_a_kept_heap_is_left_alone_until_given_back() -> None:
    n = Node()
    ref = weakref.ref(n)
    keep_heap()
    try:
        del n
        gc.collect()
        assert ref() is not None  # filed away: full passes do not scan it
    finally:
        release_heap()
    gc.collect()
    assert ref() is None


def test_a_kept_build_is_given_back_by_the_next_build(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(GEN), str(tmp_path), "--entries", "20", "--seed", "3"], check=True,
                   capture_output=True)
    content, site, store = tmp_path / "content", tmp_path / "site", f"sqlite:///{tmp_path / 'kb.sqlite'}"
    held = Node()  # stands for the kept state's cycles
    ref = weakref.ref(held)
    build_site(content, site, store_url=store, incremental=True)
    assert gc.get_freeze_count() > 0  # kept for the follow-ups of edits
    del held
    gc.collect()
    assert ref() is not None
    build_site(content, site, store_url=store, sync=False)  # a one-off build keeps nothing
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert ref() is None
