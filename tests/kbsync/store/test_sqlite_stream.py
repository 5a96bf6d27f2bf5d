"""SQLite staging generation: a reader keeps its generation, and a killed stream's tables go at the next open."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbsync.store import open_store
from kbsync.store.base import Batch, FileState
from kbsync.store.sqlite_stream import STALE_S, _gone
from tests.store.contract import edge, rec, seed

ROOT = Path(__file__).resolve().parents[3]


def staged(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return sorted(n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE name GLOB 'stage_*' "
                                               "UNION ALL SELECT key FROM meta WHERE key GLOB 'stage:*'"))
    finally:
        db.close()


def test_reader_transaction_open_across_the_swap_keeps_the_old_generation(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    store = open_store(f"sqlite://{path}")
    seed(store)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT group_concat(slug) FROM (SELECT slug FROM entries ORDER BY slug)").fetchone() == ("a,b,c,d",)
    st = store.stream()
    st.put([rec("z"), rec("y")])
    st.put_edges({"z": [edge("z", "y")]})
    st.commit(Batch(replace_all=True, files=[FileState("z.md", "z", 1, 1, "hz")]))
    # same read transaction: every old row, old edges, old revision (never a mix)
    assert reader.execute("SELECT group_concat(slug) FROM (SELECT slug FROM entries ORDER BY slug)").fetchone() == ("a,b,c,d",)
    assert reader.execute("SELECT count(*) FROM edges").fetchone() == (5,)
    assert reader.execute("SELECT value FROM meta WHERE key='revision'").fetchone() == ("1",)
    reader.execute("COMMIT")
    assert reader.execute("SELECT group_concat(slug) FROM (SELECT slug FROM entries ORDER BY slug)").fetchone() == ("y,z",)
    assert reader.execute("SELECT value FROM meta WHERE key='revision'").fetchone() == ("2",)
    assert sorted(n for (n,) in reader.execute("SELECT name FROM sqlite_master WHERE type='index' AND name NOT GLOB "
                                               "'sqlite_*'")) == ["edges_dst", "edges_key", "entries_type"]


CHILD = """
import os, signal, sys, time
sys.path.insert(0, {root!r})
from kbsync.store import open_store
from tests.store.contract import rec
st = open_store({url!r}).stream()
st.put([rec(f"n{{i}}") for i in range(50)])
print("staged", flush=True)
if {kill!r}:
    os.kill(os.getpid(), signal.SIGKILL)
sys.stdin.read()  # stay alive, mid-stream, until the test closes stdin
"""


@pytest.mark.parametrize("kill", [True, False])
def test_killed_stream_leaves_old_data_and_the_next_writer_drops_its_tables(tmp_path: Path, kill: bool) -> None:
    path = tmp_path / "kb.sqlite"
    url = f"sqlite://{path}"
    seed(open_store(url))
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), url=url, kill=kill)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "staged\n"
    if kill:
        assert child.wait(timeout=30) == -signal.SIGKILL
    assert len(staged(path)) == 3  # two tables and the owner row, left behind or in flight
    reader = open_store(url, create=False)  # a reader never writes: it leaves them alone
    assert [r["slug"] for r in reader.entries()] == ["a", "b", "c", "d"] and reader.revision() == 1
    assert len(staged(path)) == 3
    writer = open_store(url)  # the next writer: drops a dead stream's tables, never a live one's
    assert len(staged(path)) == (0 if kill else 3)
    assert [r["slug"] for r in writer.entries()] == ["a", "b", "c", "d"] and writer.revision() == 1
    if not kill:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
        open_store(url)
        assert staged(path) == []


HOST = socket.gethostname()


@pytest.mark.parametrize("host, pid, age, gone", [
    (HOST, "dead", 0, True),  # this host, owner process gone
    (HOST, "alive", 0, False),  # this host, owner still running
    (HOST, "self", 0, False),  # this process: its own abort drops it
    ("other-container", "dead", 0, False),  # another host: only the heartbeat can tell
    ("other-container", "dead", STALE_S + 5, True),
    (HOST, "alive", STALE_S + 5, True),  # a stuck owner: no chunk for that long
])
def test_leftover_owner_rules(host: str, pid: str, age: float, gone: bool) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pids = {"dead": dead.pid, "alive": os.getppid(), "self": os.getpid()}
    now = time.time()
    assert _gone(f"{host}\t{pids[pid]}\t{now - age}", now) is gone


def test_a_batch_from_a_writer_already_open_clears_a_dead_streams_tables(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    url = f"sqlite://{path}"
    writer = open_store(url)  # open before the crash: the watcher of a `kb serve`
    seed(writer)
    child = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), url=url, kill=True)], capture_output=True)
    assert child.returncode == -signal.SIGKILL and len(staged(path)) == 3
    assert writer.apply(Batch(upserts=[rec("e")])) == 2
    assert staged(path) == [] and [r["slug"] for r in writer.entries()] == ["a", "b", "c", "d", "e"]
