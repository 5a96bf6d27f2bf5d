"""`kb serve` stops cleanly: SIGTERM exits 0, idle or in the middle of a big sync, and never leaves half a batch.

DESIGN: "SIGTERM finishes or rolls back the batch in flight and exits cleanly." A real `kb serve` subprocess
(real HTTP on a free loopback port) is stopped with SIGTERM; the store it leaves behind must be the state
before or after the batch, and a normal follow-up sync must make it equal to a clean full sync.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from test_watch_api import Served, note, write

from kbsync.derive import Options
from kbsync.store import open_store
from kbsync.store.snapshot import snapshot
from kbsync.sync import sync_content

BULK = 1500
EXIT_WITHIN = 60.0  # seconds from SIGTERM to exit with a 1,500-file batch in flight, on a loaded 2-core box
OPTIONS = Options(keywords=False)  # what the server runs with (KB_KEYWORDS=false)


def revision(db: Path) -> int:
    """The store's revision, read without writing anything (not even the schema)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(con.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0])
    finally:
        con.close()


def no_traceback(srv: Served) -> None:
    logs = srv.logs()
    assert "Traceback" not in logs, logs[-5000:]


@pytest.fixture
def served(tmp_path: Path):
    content = tmp_path / "content"
    write(content / "home.md", note("Home", "zqhome") + "\nSee [[Bulk 0]] and [[Bulk 1499]].\n")
    write(content / "other.md", note("Other", "zqother"))
    srv = Served(tmp_path, content)
    yield srv
    if srv.proc.poll() is None:
        srv.proc.kill()
        srv.proc.wait(10)


def test_sigterm_when_idle_exits_0_quickly(served):
    served.wait_healthy()
    served.wait_site_builds_done()
    time.sleep(0.3)
    t0 = time.perf_counter()
    served.proc.terminate()
    code = served.proc.wait(30)
    took = time.perf_counter() - t0
    print(f"idle kb serve exited {code} {took * 1000:.0f} ms after SIGTERM")
    assert code == 0, served.logs()[-5000:]
    assert took < 10
    no_traceback(served)
    assert "stopped watching" in served.logs()  # the watcher was stopped, not killed


def bulk_folder(where: Path) -> Path:
    """1,500 linked entries in a folder outside the content dir, to be moved in with one rename (one batch)."""
    for i in range(BULK):
        write(where / f"b{i:04}.md", note(f"Bulk {i}", f"zqbulk{i}") +
              f"\nNext [[Bulk {(i + 1) % BULK}]], home [[Home]], missing [[Nowhere {i % 7}]].\n")
    return where


def test_sigterm_during_a_big_watcher_sync_exits_0_and_leaves_a_whole_batch(served, tmp_path):
    staged = bulk_folder(tmp_path / "staging" / "bulk")
    served.wait_healthy()
    served.wait_site_builds_done()
    time.sleep(0.3)
    before = revision(served.db)
    shutil.move(staged, served.content / "bulk")  # one rename: the watcher syncs the folder as one batch
    time.sleep(0.3)  # past the 0.15 s debounce: the sync is reading and parsing 1,500 files (~1 s on 2 cores)
    in_flight = revision(served.db) == before  # not committed yet when the signal goes out
    t0 = time.perf_counter()
    served.proc.terminate()
    code = served.proc.wait(EXIT_WITHIN)
    took = time.perf_counter() - t0
    after = revision(served.db)
    print(f"SIGTERM {'during' if in_flight else 'after'} the 1,500-file sync: exit {code} after {took:.2f}s, "
          f"revision {before} -> {after}")
    assert code == 0, served.logs()[-5000:]
    no_traceback(served)
    assert in_flight, "the batch committed before the signal: nothing was in flight (machine too fast?)"

    store = open_store(f"sqlite://{served.db}")
    try:
        bulk = [s for s in (r["slug"] for r in store.entries()) if s.startswith("bulk/")]
        assert (after, len(bulk)) in {(before, 0), (before + 1, BULK)}, "half a batch in the store"
        sync_content(served.content, store, options=OPTIONS)  # what the next start does
        fresh = open_store(f"sqlite://{tmp_path / 'fresh.sqlite'}")
        sync_content(served.content, fresh, full=True, options=OPTIONS)
        assert snapshot(store) == snapshot(fresh)
        assert store.get("bulk/b0999")["title"] == "Bulk 999"
        fresh.close()
    finally:
        store.close()


@pytest.mark.slow
def test_sigterm_during_the_first_sync_of_2000_entries_exits_0_and_rolls_back(tmp_path, corpus2000):
    """SIGTERM while `kb serve` does its start-up sync into an empty store (main thread, worker processes)."""
    src, _truth = corpus2000
    content = tmp_path / "content"
    shutil.copytree(src, content, symlinks=True)
    srv = Served(tmp_path, content)
    try:
        deadline = time.monotonic() + 30
        while not srv.db.exists() and time.monotonic() < deadline:  # the store is created, the sync starts
            time.sleep(0.05)
        time.sleep(0.5)
        assert srv.proc.poll() is None
        srv.proc.terminate()
        code = srv.proc.wait(EXIT_WITHIN)
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait(10)
    after = revision(srv.db)
    print(f"SIGTERM during the first sync: exit {code}, revision {after}")
    assert code == 0, srv.logs()[-5000:]
    no_traceback(srv)
    store = open_store(f"sqlite://{srv.db}")
    try:
        n = sum(1 for _ in store.entries())
        assert (after == 0 and n == 0) or (after == 1 and n > 1900), "half a batch in the store"
        sync_content(content, store, options=OPTIONS)
        fresh = open_store(f"sqlite://{tmp_path / 'fresh.sqlite'}")
        sync_content(content, fresh, full=True, options=OPTIONS)
        assert snapshot(store) == snapshot(fresh)
        fresh.close()
    finally:
        store.close()


def test_serve_answers_before_the_first_site_build_ends_and_serves_the_previous_pages(tmp_path, corpus300):
    """Serve at once: the API and the previous run's pages answer while the first site build runs behind them;
    `/api/ready` says `site: building`, then `complete`; the build then replaces the old pages and prunes files
    no longer part of the site."""
    src, _truth = corpus300
    content = tmp_path / "content"
    shutil.copytree(src, content, symlinks=True)
    site = tmp_path / "site"
    (site / "gone").mkdir(parents=True)
    (site / "index.html").write_text("<p>previous run</p>", encoding="utf-8")
    (site / "gone" / "index.html").write_text("<p>an entry deleted since</p>", encoding="utf-8")
    for old in (site / "index.html", site / "gone" / "index.html"):  # written by an earlier run, not this one
        os.utime(old, (time.time() - 60, time.time() - 60))
    srv = Served(tmp_path, content)
    try:
        t0 = time.monotonic()
        seen: list[tuple[float, int, dict, str]] = []  # (seconds, status, /api/ready, home page)
        while time.monotonic() - t0 < 120:
            assert srv.proc.poll() is None, srv.logs()[-5000:]
            try:
                r = srv.http.get("/api/ready")
                home = srv.http.get("/")
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            seen.append((time.monotonic() - t0, r.status_code, r.json(), home.text))
            if r.status_code == 200 and r.json().get("site") == "complete":
                break
            time.sleep(0.05)
        ok = [x for x in seen if x[1] == 200]
        assert ok, seen[-3:]
        first, last = ok[0], ok[-1]
        print(f"kb serve: /api/ready 200 after {first[0]:.2f}s (site {first[2].get('site')}), "
              f"site complete after {last[0]:.2f}s")
        assert first[2]["site"] == "building", "the server waited for the site build before answering"
        assert "previous run" in first[3], "the previous run's page is not served during the first build"
        assert last[2]["site"] == "complete"
        assert "previous run" not in srv.http.get("/").text
        assert srv.http.get("/gone/").status_code == 404, "a file of the previous run outside the site survived"
        assert srv.http.get("/api/health").json()["site"] == "complete"
        assert not list(site.rglob(".kb-*.tmp")), "temporary files left in the site"
    finally:
        code = srv.stop()
    assert code == 0
    no_traceback(srv)


# (what the edit does, what the edited page then shows, which page it affects and what that page then shows)
FOLLOW = [("body", "\nZqEditedFirst sentence.\n", "other/", "ZqEditedFirst", "home/", None),
          ("link", "\nZqLinked to [[Home]].\n", "other/", "ZqLinked", "home/", 'href="../other/"')]


@pytest.mark.parametrize(("kind", "append", "page", "shows", "affected", "then"), FOLLOW, ids=[f[0] for f in FOLLOW])
def test_an_edit_is_published_page_first_then_its_affected_pages_without_a_build(served, kind, append, page, shows,
                                                                                  affected, then):
    """Edit -> page: the worker writes the edited page from the last build's state, then re-renders the pages the
    edit affects (here: the backlinks of the page it now links to) without a site build."""
    served.wait_healthy()
    served.wait_site_builds_done()
    before = served.logs().count("site built in")
    t0 = time.monotonic()
    write(served.content / "other.md", note("Other", "zqother") + append)
    while time.monotonic() - t0 < 30 and shows not in served.http.get(f"/{page}").text:
        time.sleep(0.02)
    print(f"{kind}: edited page served {time.monotonic() - t0:.2f}s after the write")
    assert shows in served.http.get(f"/{page}").text
    if then is not None:
        while time.monotonic() - t0 < 30 and then not in served.http.get(f"/{affected}").text:
            time.sleep(0.02)
        print(f"{kind}: affected page served {time.monotonic() - t0:.2f}s after the write")
        assert then in served.http.get(f"/{affected}").text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "candidates re-rendered" not in served.logs():
        time.sleep(0.05)
    logs = served.logs()
    first = logs.find("published 1 edited page(s) first")
    assert first >= 0, logs[-3000:]
    assert first < logs.find("candidates re-rendered"), logs[-3000:]
    assert logs.count("site built in") == before, "a one-file edit ran a site build"
    assert served.stop() == 0  # SIGTERM: the site worker goes with the server (a SIGKILL would orphan it)
    no_traceback(served)


def test_a_store_synced_before_is_served_at_once_and_edits_made_meanwhile_are_synced_behind_it(tmp_path):
    """Restart: no blocking sync before serving; the watcher's start-up check picks up what changed while stopped."""
    content = tmp_path / "content"
    write(content / "home.md", note("Home", "zqhome"))
    write(content / "other.md", note("Other", "zqother"))
    store = open_store(f"sqlite:///{tmp_path / 'kb.sqlite'}")
    try:
        sync_content(content, store, options=OPTIONS)
    finally:
        store.close()
    write(content / "other.md", note("Other", "zqwhilestopped"))  # edited while kb serve was not running
    served = Served(tmp_path, content)
    try:
        served.wait_healthy()
        assert "serving the store as synced before" in served.logs()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "other" not in served.http.get("/api/search?q=zqwhilestopped").text:
            time.sleep(0.1)
        assert '"slug":"other"' in served.http.get("/api/search?q=zqwhilestopped").text
        assert served.stop() == 0
        no_traceback(served)
    finally:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait(10)


def test_a_fresh_start_answers_health_and_the_pages_on_disk_before_its_start_up_sync_ends(tmp_path):
    """Serve at once on a fresh store: the server listens before the start-up sync (1,500 files) runs behind it;
    meanwhile `/api/health` answers `starting`, `/api/ready` is 503 (an empty store is not a ready one) and a page
    already on disk is served; once the sync committed, ready is 200 with every entry."""
    content = tmp_path / "content"
    write(content / "home.md", note("Home", "zqhome"))
    bulk_folder(content / "bulk")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>previous run</p>", encoding="utf-8")
    srv = Served(tmp_path, content)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert srv.proc.poll() is None, srv.logs()[-5000:]
            try:
                health = srv.http.get("/api/health")
                break
            except httpx.TransportError:
                time.sleep(0.02)
        during = (health.json(), srv.http.get("/api/ready"), srv.http.get("/").text, srv.logs())
        assert "synced 1501 entries" not in during[3], "the server answered only after its start-up sync"
        assert during[0]["status"] == "starting", during[0]
        assert during[1].status_code == 503 and during[1].json()["status"] == "starting"
        assert "previous run" in during[2]
        while time.monotonic() < deadline and srv.http.get("/api/ready").status_code != 200:
            time.sleep(0.05)
        ready = srv.http.get("/api/ready").json()
        assert ready["status"] == "ok" and ready["entries"] == 1501, ready
        assert "synced 1501 entries" in srv.logs()
        assert srv.http.get("/api/search?q=zqbulk42").json()["hits"][0]["slug"] == "bulk/b0042"
    finally:
        code = srv.stop()
    assert code == 0
    no_traceback(srv)
