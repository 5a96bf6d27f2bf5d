"""The watcher applies the content boundary: a symlink to outside created while it runs is never indexed
(reported as a problem instead); a FIFO created while it runs never blocks it; inside symlinks still index."""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kbsync.store import open_store
from kbsync.sync import sync_content
from kbsync.watch import Watcher


def wait_for(pred: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"not true within {timeout}s"
        time.sleep(0.02)


def _outside(tmp: Path) -> Path:
    out = tmp / "outside"
    (out / "dir").mkdir(parents=True, exist_ok=True)
    (out / "secret.md").write_text("# Secret\n\nOUTSIDE-CANARY\n")
    (out / "dir" / "inner.md").write_text("# Inner\n\nOUTSIDE-CANARY\n")
    return out


# name -> how to make it (content dir, outside dir); each must be refused with a problem on `name`
ATTACKS: dict[str, Callable[[Path, Path], None]] = {
    "passwd.md": lambda c, o: (c / "passwd.md").symlink_to("/etc/passwd"),
    "environ.png": lambda c, o: (c / "environ.png").symlink_to("/proc/self/environ"),
    "secret.md": lambda c, o: (c / "secret.md").symlink_to(o / "secret.md"),
    "outdir": lambda c, o: (c / "outdir").symlink_to(o / "dir", target_is_directory=True),
    "up": lambda c, o: (c / "up").symlink_to("..", target_is_directory=True),
    "fifo.md": lambda c, o: os.mkfifo(c / "fifo.md"),
}


@pytest.fixture
def running(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("# A\n")
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    w = Watcher(content, store, debounce=0.05, retry_min=0.05, retry_max=0.2, rescan_every=None).start()
    time.sleep(0.05)
    yield content, _outside(tmp_path), store, w
    w.stop()
    store.close()


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_symlink_to_outside_created_while_watching_is_not_indexed(running, name: str) -> None:
    content, outside, store, w = running
    ATTACKS[name](content, outside)
    (content / "later.md").write_text("# Later\n")  # proves the watcher got past the attack
    wait_for(lambda: store.get("later") is not None)
    wait_for(w.idle)
    paths = {r["path"] for r in store.entries()}
    assert paths == {"a.md", "later.md"}, paths
    assert not any("OUTSIDE-CANARY" in str(r.get("text")) or "root:" in str(r.get("text")) for r in store.entries())
    wait_for(lambda: name in store.problems())
    assert store.problems()[name][0]["line"] == 0


def test_symlink_inside_created_while_watching_is_indexed(running) -> None:
    content, _, store, w = running
    (content / "twin.md").symlink_to("a.md")
    wait_for(lambda: store.get("twin") is not None)
