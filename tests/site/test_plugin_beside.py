"""Backlink contexts and tag/type pages made in a process forked beside discovery (site_plugins/plugin_beside.py):
the same site as a build that makes them in the main process, and made there only when the forked one failed."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from kbsite import ROOT, build
from test_parallel import assert_same_site

from kbsync.testing.corpus import ensure
from site_plugins import parallel, plugin_beside


@pytest.mark.parametrize("name, min_pages", [("sample", 2), ("corpus", parallel.MIN_PAGES)])
@pytest.mark.parametrize("child_fails", [False, True])
def test_parts_made_beside_equal_the_main_processes(name: str, min_pages: int, child_fails: bool, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PAGES", min_pages)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest-xdist's I/O thread would stop forking
    content = ROOT / "content" if name == "sample" else ensure(tmp_path / "corpus", 300)[0]
    here = build(content, tmp_path / "here", parallel=1)  # one process: nothing forked, all made in it
    parent, log = os.getpid(), tmp_path / "made.log"
    real = plugin_beside.Beside.make

    def make(self: plugin_beside.Beside, part: str) -> object:
        with open(log, "a", encoding="utf-8") as fh:  # (the forked process's list would die with it)
            fh.write(f"{'parent' if os.getpid() == parent else 'child'} {part}\n")
        if child_fails and os.getpid() != parent:
            os._exit(3)  # the process dies without a result: the parent makes every part itself
        return real(self, part)

    monkeypatch.setattr(plugin_beside.Beside, "make", make)
    beside = build(content, tmp_path / "beside", parallel=2)
    assert_same_site(here, beside)
    made = [tuple(line.split()) for line in log.read_text(encoding="utf-8").splitlines()]
    parts = set(plugin_beside.PARTS)
    assert {p for who, p in made if who == "parent"} == (parts if child_fails else set())
    child = [p for who, p in made if who == "child"]
    assert (set(child) == parts) if not child_fails else (len(child) == 1 and child[0] in parts)


def test_nothing_forked_when_nothing_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    forked: list[object] = []
    monkeypatch.setattr(plugin_beside.forking, "beside", lambda *a: forked.append(a))
    got = plugin_beside.Beside(type("Index", (), {"public": set(range(10))})(), 100, set(), 2)
    assert got.job is None and not forked
    got.wait()  # nothing to wait for
