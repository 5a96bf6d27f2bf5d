"""Kept discovery files (site_plugins/keptfile.py): beside the store, and a killed build's removed at the next start."""
from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from kbsite import ROOT

from site_plugins import discovery_later, keptfile, parallel, topics


def _dead_pid() -> int:
    """The id of a process that has exited."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_a_killed_builds_kept_file_is_beside_the_store_and_removed_at_the_next_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build killed before its exit (no atexit: as SIGKILL) left its kept discovery in /tmp for good; now it is in
    the store's folder, and the next build's start removes it."""
    from site_plugins.config import build_site

    monkeypatch.setattr(topics, "_KEPT", {})
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest-xdist's idle thread is not ours to fear
    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    monkeypatch.setattr(discovery_later, "BESIDE_FROM", 0)  # forked beside at the sample's size
    store = f"sqlite:///{tmp_path / '.kb' / 'kb.sqlite'}"
    (tmp_path / ".kb").mkdir()
    pid = os.fork()
    if pid == 0:  # the build that is killed: it ends without its atexit handlers
        code = 1
        try:
            build_site(ROOT / "content", tmp_path / "site", store_url=store, parallel=2)
            left = topics._KEPT.get((ROOT / "content").resolve())
            code = 0 if isinstance(left, topics.Stored) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    left = sorted((tmp_path / ".kb").glob(f"{keptfile.PREFIX}{pid}-*.pickle"))
    assert len(left) == 1  # in the store's folder, not the temporary one
    monkeypatch.setattr(discovery_later.forking, "beside", lambda compute, fallback, role=None: fallback)  # no fork this time

    class Index:
        public = {f"e{i}" for i in range(parallel.MIN_PAGES)}

        def public_records(self) -> list[object]:
            return []

    discovery_later.later(Index(), str(ROOT / "content"), store, 2, True)
    assert not left[0].exists()


@pytest.mark.parametrize("name, owner, removed", [
    ("dead", "dead", True),  # its build process is gone: removed
    ("mine", "self", False),  # this process's: still to be read by its next build
    ("other", "other", False),  # not a kept file
])
def test_sweep_removes_only_files_of_processes_that_are_gone(name: str, owner: str, removed: bool,
                                                             tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    pid = {"dead": _dead_pid(), "self": os.getpid()}.get(owner)
    path = tmp_path / (f"{keptfile.PREFIX}{pid}-x.pickle" if pid is not None else "kb-kept.pickle")
    path.write_bytes(b"x")
    assert keptfile.sweep(store) == ([str(path)] if removed else [])
    assert path.exists() != removed


@pytest.mark.parametrize("store, beside", [
    ("sqlite:///{tmp}/kb.sqlite", True),
    ("sqlite:///{tmp}/gone/kb.sqlite", False),  # no such folder: the temporary one
    (None, False),  # no SQLite store: the temporary one
])
def test_kept_files_go_beside_a_sqlite_store(store: str | None, beside: bool, tmp_path: Path) -> None:
    fd, path = keptfile.create(store and store.format(tmp=tmp_path), os.getpid())
    os.close(fd)
    try:
        assert (Path(path).parent == tmp_path) == beside
        assert Path(path).name.startswith(f"{keptfile.PREFIX}{os.getpid()}-")
    finally:
        os.unlink(path)
