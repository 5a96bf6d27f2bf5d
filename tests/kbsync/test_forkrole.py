"""Forked children name themselves and log their role and peak RSS as they exit (kbsync/forkrole.py), so the memory
bench can say which process a build's largest child is."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from kbsync import forkrole
from kbsync.discovery.parallel import in_child
from site_plugins import forking

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork, /proc and ru_maxrss in KB")

MB = 2**20


def _comm() -> str:
    with open("/proc/self/comm") as fh:
        return fh.read().strip()


def _grow(mb: int) -> str:
    """Touch `mb` MB of fresh memory (every page resident), then report this process's name."""
    block = bytearray(mb * MB)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return _comm()


def _local_default() -> forking.Later:
    return forking.beside(lambda: _grow(0), lambda: None)


@pytest.mark.parametrize("how, grow, role", [
    ("beside", 0, "graph layout"),
    ("beside", 120, "discovery"),
    ("beside default", 0, "test_forkrole._local_default"),  # no role given: where the computation is written
    ("pool", 0, "unlinked scan"),
    ("pool", 120, "profiles"),
])
def test_a_forked_child_logs_its_role_and_its_own_peak(how: str, grow: int, role: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "forks.tsv"
    monkeypatch.setenv(forkrole.ENV, str(log))
    if how == "beside":
        comm = forking.beside(lambda: _grow(grow), lambda: None, role)()
    elif how == "beside default":
        comm = _local_default()()
    else:
        job = in_child(lambda: _grow(grow), role)
        assert job is not None
        comm = job.result()
        for _ in range(200):  # the pool's worker logs as it exits, just after handing its result over
            if log.exists():
                break
            time.sleep(0.05)
    assert comm == ("kb " + role)[:15]
    (got,) = forkrole.read(log)
    assert got.role == role and got.pid != os.getpid()
    # its peak counts what it grew on top of what it shares with this process (the child's own RSS)
    assert got.peak_mb >= grow
    if grow:
        small = tmp_path / "small.tsv"
        monkeypatch.setenv(forkrole.ENV, str(small))
        forking.beside(lambda: _grow(0), lambda: None, role)()
        assert got.peak_mb - forkrole.read(small)[0].peak_mb >= grow * 0.8


def test_nothing_is_logged_without_the_variable_and_the_parent_keeps_its_name(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(forkrole.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    before = _comm()
    assert forking.beside(lambda: _grow(1), lambda: None, "discovery")() == "kb discovery"
    assert _comm() == before
    assert list(tmp_path.iterdir()) == []


def test_the_log_reads_largest_first_and_skips_torn_lines(tmp_path: Path) -> None:
    log = tmp_path / "forks.tsv"
    log.write_text("page worker\t11\t10\t204800\ndiscovery\t12\t10\t1048576\nprofiles\t13\t12\t5\ntorn\t14\t1\n"
                   "junk line\n")
    got = forkrole.read(log)
    assert [(e.role, e.ppid, e.peak_mb) for e in got] == [("discovery", 10, 1024.0), ("page worker", 10, 200.0),
                                                         ("profiles", 12, 5 / 1024)]
    assert forkrole.read(tmp_path / "missing.tsv") == []
