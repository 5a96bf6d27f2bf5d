"""kbsync.watch: every change a user makes lands in the store (within a second: bench/watch.py), and none is lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kbsync.store import open_store
from kbsync.sync import sync_content
from kbsync.watch import Watcher

ROOT = Path(__file__).resolve().parents[2]
# the change arrives in the store (its latency against the 1 s target is bench/watch.py's: a wall cap here flaked
# on a loaded machine)
ARRIVES = 10.0


def wait_for(pred: Callable[[], object], timeout: float = ARRIVES) -> float:
    """Poll until pred() is truthy; return the seconds it took (fails past the timeout)."""
    t0 = time.perf_counter()
    while True:
        if pred():
            return time.perf_counter() - t0
        if time.perf_counter() - t0 > timeout:
            raise AssertionError(f"not true within {timeout}s: {getattr(pred, '__name__', pred)}")
        time.sleep(0.01)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def note(title: str, body: str = "") -> str:
    return f"---\ntitle: {title}\ntags: [watch]\n---\n# {title}\n\n{body}\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write(root / "a.md", note("Alpha", "links to [[Beta]]"))
    write(root / "b.md", note("Beta"))
    write(root / "folder" / "c.md", note("Gamma"))
    return root


@pytest.fixture
def store(tmp_path: Path, content: Path):
    st = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, st)
    yield st
    st.close()


@pytest.fixture
def watcher(content: Path, store):
    w = Watcher(content, store, debounce=0.1, retry_min=0.05, retry_max=0.2).start()
    time.sleep(0.05)  # let inotify watches settle
    yield w
    w.stop()


def title(store, slug: str) -> str | None:
    rec = store.get(slug)
    return rec["title"] if rec else None


def vim_save(root: Path) -> None:
    """vim's backupcopy=no: probe file 4913, rename the original to a~, write anew, drop the backup."""
    write(root / "4913", "")
    os.unlink(root / "4913")
    os.rename(root / "a.md", root / "a.md~")
    write(root / "a.md", note("Alpha by vim"))
    os.unlink(root / "a.md~")


def atomic_save(root: Path) -> None:
    """Most editors: write a temp file beside the entry, then rename it over the entry."""
    write(root / ".a.md.tmp", note("Alpha atomically"))
    os.replace(root / ".a.md.tmp", root / "a.md")


CHANGES = [
    ("create", lambda r: write(r / "new note.md", note("Brand New")), lambda s: title(s, "new-note") == "Brand New"),
    ("edit", lambda r: write(r / "a.md", note("Alpha Edited")), lambda s: title(s, "a") == "Alpha Edited"),
    ("atomic save", atomic_save, lambda s: title(s, "a") == "Alpha atomically"),
    ("vim save", vim_save, lambda s: title(s, "a") == "Alpha by vim"),
    ("rename", lambda r: os.rename(r / "b.md", r / "folder" / "renamed.md"),
     lambda s: s.get("b") is None and title(s, "folder/renamed") == "Beta"),
    ("delete", lambda r: os.unlink(r / "b.md"), lambda s: s.get("b") is None),
    ("move folder", lambda r: os.rename(r / "folder", r / "moved"),
     lambda s: s.get("folder/c") is None and title(s, "moved/c") == "Gamma"),
    ("delete folder", lambda r: __import__("shutil").rmtree(r / "folder"), lambda s: s.get("folder/c") is None),
    ("new folder with entry", lambda r: write(r / "deep" / "er" / "d.md", note("Delta")),
     lambda s: title(s, "deep/er/d") == "Delta"),
]


@pytest.mark.parametrize(("change", "check"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_change_arrives_in_the_store(content, store, watcher, change, check):
    change(content)
    took = wait_for(lambda: check(store))  # raises past ARRIVES
    print(f"in the store after {took * 1000:.0f} ms")
    wait_for(watcher.idle)


def test_links_follow_a_rename_of_their_target(content, store, watcher):
    assert [lk["target"] for lk in store.get("a")["links"]] == ["b"]
    os.rename(content / "b.md", content / "beta.md")  # title "Beta" still resolves [[Beta]]
    wait_for(lambda: [lk["target"] for lk in store.get("a")["links"]] == ["beta"])


@pytest.mark.parametrize("name", [".hidden/x.md", ".git/HEAD", "x.md.swp", "x.md~", "4913", "x.tmp"])
def test_ignored_files_never_reach_the_store(content, store, watcher, name):
    rev = store.revision()
    write(content / name, note("Ignored"))
    time.sleep(0.3)
    assert watcher.idle() and store.revision() == rev
    assert all(r["title"] != "Ignored" for r in store.entries())


def test_a_burst_of_500_writes_ends_equal_to_a_full_sync(tmp_path, content, store, watcher):
    for i in range(500):
        write(content / f"burst/n{i:03}.md", note(f"Burst {i}", f"see [[Burst {(i + 1) % 500}]] and [[Alpha]]"))
    wait_for(lambda: watcher.idle() and store.get("burst/n499") is not None, timeout=30)
    time.sleep(0.3)
    wait_for(watcher.idle, timeout=10)
    fresh = open_store(f"sqlite://{tmp_path / 'fresh.sqlite'}")
    sync_content(content, fresh, full=True)
    assert [r["slug"] for r in store.entries()] == [r["slug"] for r in fresh.entries()]
    assert list(store.entries()) == list(fresh.entries())
    assert store.file_states() == fresh.file_states()
    assert watcher.syncs < 100  # debounced, not one sync per write
    fresh.close()


class FlakyStore:
    """Delegates to a real store; apply raises while `down` is set (the database went away)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.down = threading.Event()
        self.failed = 0
        self.url = inner.url

    def apply(self, batch):
        if self.down.is_set():
            self.failed += 1
            raise ConnectionError("store unreachable")
        return self.inner.apply(batch)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_edits_made_while_the_store_is_down_land_when_it_returns(content, store):
    flaky = FlakyStore(store)
    with Watcher(content, flaky, debounce=0.05, retry_min=0.05, retry_max=0.2) as w:
        time.sleep(0.05)
        flaky.down.set()
        write(content / "while down.md", note("Written While Down"))
        write(content / "a.md", note("Alpha While Down"))
        os.unlink(content / "b.md")
        wait_for(lambda: flaky.failed >= 3, timeout=3)  # retried, with backoff
        assert store.get("while-down") is None and title(store, "a") == "Alpha"
        assert set(w.pending()) >= {"while down.md", "a.md", "b.md"}  # nothing dropped
        flaky.down.clear()
        wait_for(lambda: title(store, "while-down") == "Written While Down" and title(store, "a") == "Alpha While Down"
                 and store.get("b") is None, timeout=1.5)
        wait_for(w.idle)


def test_store_created_lazily_from_a_factory(content, tmp_path):
    made = []

    def factory():
        made.append(open_store(f"sqlite://{tmp_path / 'lazy.sqlite'}"))
        return made[-1]
    with Watcher(content, factory, debounce=0.05):
        time.sleep(0.05)
        write(content / "a.md", note("Alpha Lazy"))
        wait_for(lambda: made and title(made[0], "a") == "Alpha Lazy")
    made[0].close()


def test_a_periodic_stat_recheck_catches_events_the_kernel_dropped(content, store):
    w = Watcher(content, store, debounce=0.05, rescan_every=0.3)
    w.notify = lambda paths: None  # every event lost, as after an inotify queue overflow
    with w:
        write(content / "a.md", note("Alpha Missed"))
        wait_for(lambda: title(store, "a") == "Alpha Missed", timeout=2)


def test_check_on_start_catches_edits_made_before_the_watch_began(content, store):
    write(content / "a.md", note("Alpha Before Start"))  # after the last sync, before watching
    with Watcher(content, store, debounce=0.05, check_on_start=True) as w:
        wait_for(lambda: title(store, "a") == "Alpha Before Start")
        wait_for(w.idle)


def test_stop_lets_the_sync_in_flight_finish(content, store):
    started, reports = threading.Event(), []

    def slow_sync(st, paths):
        started.set()
        time.sleep(0.3)
        return sync_content(content, st, paths=paths)
    w = Watcher(content, store, sync=slow_sync, on_synced=reports.append, debounce=0.02).start()
    time.sleep(0.05)
    write(content / "a.md", note("Alpha In Flight"))
    assert started.wait(2)
    w.stop()
    assert len(reports) == 1 and title(store, "a") == "Alpha In Flight"
    assert not w._thread.is_alive()


def test_swapped_content_symlink_is_rewatched(tmp_path, store):
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    write(v1 / "a.md", note("Version One"))
    write(v2 / "a.md", note("Version Two"))
    write(v2 / "only2.md", note("Only In Two"))
    link = tmp_path / "current"
    link.symlink_to(v1)
    st = open_store(f"sqlite://{tmp_path / 'swap.sqlite'}")
    sync_content(link, st)
    with Watcher(link, st, debounce=0.05, root_check=0.1):
        tmp = tmp_path / "current.new"
        tmp.symlink_to(v2)
        os.replace(tmp, link)  # what git-sync does
        wait_for(lambda: title(st, "a") == "Version Two" and title(st, "only2") == "Only In Two", timeout=2)
        write(v2 / "a.md", note("Edited In Two"))  # and the new target is watched
        wait_for(lambda: title(st, "a") == "Edited In Two")
    st.close()


def test_kb_sync_watch_exits_0_on_sigterm(tmp_path, content):
    db = tmp_path / "cli.sqlite"
    env = dict(os.environ, KB_CONTENT_DIR=str(content), KB_STORE_URL=f"sqlite://{db}", KB_LOG_FORMAT="json")
    proc = subprocess.Popen([sys.executable, "-m", "kbsync", "sync", "--watch"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        st = open_store(f"sqlite://{db}")
        wait_for(lambda: db.exists() and st.revision() >= 1 and st.get("a") is not None, timeout=30)
        time.sleep(0.5)  # the watch starts after the first sync
        write(content / "a.md", note("Alpha From CLI"))
        wait_for(lambda: title(st, "a") == "Alpha From CLI", timeout=5)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, out
        st.close()
    finally:
        if proc.poll() is None:
            proc.kill()
