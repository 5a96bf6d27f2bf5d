"""Crash safety: SIGKILL a sync at several points; the next sync leaves the store equal to a clean full sync."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbsync.store import open_store
from kbsync.store.snapshot import snapshot
from kbsync.sync import sync_content


def kb_sync(content: Path, url: str, *flags: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kbsync", "sync", *flags, "--content", str(content), "--store", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "KB_KEYWORDS": "false", **env})


def mutate(content: Path, round_: int) -> None:
    """Edit, add and delete a slice of the corpus so a sync has real work of every kind."""
    notes = sorted((content / "notes").glob("*.md"))
    for p in notes[round_::7][:60]:
        p.write_text(p.read_text(encoding="utf-8") + f"\nround {round_} [[{notes[0].stem}]]\n", encoding="utf-8")
    for p in notes[round_ + 3::11][:10]:
        p.unlink()
    for i in range(20):
        (content / "notes" / f"New {round_} {i}.md").write_text(f"new [[{notes[1].stem}]] #r{round_}\n", encoding="utf-8")


def _leftover_processes(content: Path, wait: float = 5.0) -> list[str]:
    """Processes (the killed syncs' reading workers) still running with this content folder on their command line."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                args = cmdline.read_bytes().split(b"\0")
            except OSError:
                continue
            if str(content).encode() in args and b"kbsync" in args:
                found.append(cmdline.parent.name)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.slow
def test_sigkill_at_several_points_then_resync_equals_full(corpus2000, tmp_path: Path) -> None:
    src, _ = corpus2000
    content = tmp_path / "content"
    shutil.copytree(src, content, symlinks=True)
    url = f"sqlite://{tmp_path / 'kb.sqlite'}"
    store = open_store(url)
    sync_content(content, store)
    t0 = time.perf_counter()
    kb_sync(content, f"sqlite://{tmp_path / 'timing.sqlite'}", "--full").wait()
    full_time = time.perf_counter() - t0
    killed = 0
    for round_, fraction in enumerate([0.15, 0.35, 0.55, 0.75, 0.95]):
        mutate(content, round_)
        proc = kb_sync(content, url, "--full")  # a large sync: every file re-read, everything rewritten
        time.sleep(full_time * fraction)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
    # and exactly between writing the batch and committing it, incremental and full
    for round_, flags in ((8, ()), (9, ("--full",))):
        mutate(content, round_)
        proc = kb_sync(content, url, *flags, KB_FAULT_INJECT="kill-before-commit")
        assert proc.wait() == -signal.SIGKILL
    assert killed >= 3, "the timing did not catch the sync in flight often enough to mean anything"
    assert _leftover_processes(content) == [], "reading workers outlived their killed sync"
    sync_content(content, store)
    ref = open_store(f"sqlite://{tmp_path / 'ref.sqlite'}")
    sync_content(content, ref, full=True)
    assert snapshot(store) == snapshot(ref)
