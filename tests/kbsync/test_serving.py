"""kb serve's site worker: pages of entries no longer public leave the served site before the build, so a
failing build never keeps serving them; a failed build is retried on the next sync."""
from __future__ import annotations

import json
import os
import queue
import shutil
import threading
import time
from pathlib import Path

import pytest

from kbsync import serving
from kbsync.store import open_store
from kbsync.sync import sync_content

FLIP_PUBLIC = "# Flip me\n\nFLIP-CANARY text\n"
FLIP_PRIVATE = "---\nprivate: true\n---\n# Flip me\n\nFLIP-CANARY text\n"


@pytest.fixture
def built(tmp_path: Path):
    from site_plugins.config import build_site

    content = tmp_path / "content"
    (content / "sub").mkdir(parents=True)
    (content / "keep.md").write_text("# Keep\n\nKEEP text\n")
    (content / "flipme.md").write_text(FLIP_PUBLIC)
    (content / "gone.md").write_text("# Gone\n\nGONE-CANARY\n")
    url = f"sqlite://{tmp_path / 'kb.sqlite'}"
    store = open_store(url)
    sync_content(content, store)
    site = tmp_path / "site"
    build_site(content, site, store_url=url, incremental=True, sync=False)
    assert (site / "flipme" / "index.html").is_file() and (site / "gone" / "index.html").is_file()
    yield content, store, url, site
    store.close()


def run_worker(content: Path, site: Path, url: str, monkeypatch) -> threading.Event:
    """Run the site worker (in a thread) for one build request; returns its `failed` event."""
    monkeypatch.setattr(serving.signal, "signal", lambda *a: None)  # only the main thread may set handlers
    requests: queue.Queue = queue.Queue()
    failed, done = threading.Event(), threading.Event()
    t = threading.Thread(target=serving._site_worker, args=(requests, done, content, site, url, None, failed))
    t.start()
    requests.put("build")
    assert done.wait(120)
    requests.put(None)
    t.join(30)
    return failed


def _locations(site: Path) -> set[str]:
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return {d["location"].split("#")[0] for d in data["docs"]}


def test_failing_build_does_not_keep_a_page_that_turned_private(built, monkeypatch) -> None:
    content, store, url, site = built
    (content / "flipme.md").write_text(FLIP_PRIVATE)
    sync_content(content, store)

    def broken(*a, **k):
        raise RuntimeError("the site build failed")

    import site_plugins.config

    real = site_plugins.config.build_site
    monkeypatch.setattr("site_plugins.config.build_site", broken)
    failed = run_worker(content, site, url, monkeypatch)
    assert failed.is_set()
    assert not (site / "flipme" / "index.html").exists()
    assert "flipme/" not in _locations(site) and "keep/" in _locations(site)
    assert "FLIP-CANARY" not in (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert (site / "keep" / "index.html").is_file()  # the rest of the previous build is still served
    monkeypatch.setattr("site_plugins.config.build_site", real)
    failed = run_worker(content, site, url, monkeypatch)
    assert not failed.is_set() and not (site / "flipme" / "index.html").exists()


def test_unpublish_removes_pages_of_deleted_entries_it_had_shown(built) -> None:
    content, store, url, site = built
    shown = serving.unpublish_hidden(site, url, set())
    assert shown == {"keep", "flipme", "gone"}
    (content / "gone.md").unlink()
    sync_content(content, store)
    assert serving.unpublish_hidden(site, url, shown) == {"keep", "flipme"}
    assert not (site / "gone" / "index.html").exists() and "gone/" not in _locations(site)
    assert (site / "keep" / "index.html").is_file()


def _processes_with(var: str) -> list[int]:
    """Live processes whose environment holds `var` (a `KB_CONTENT_DIR=...` of one test's server)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if var.encode() in env and state != "Z":
            found.append(int(pid))
    return found


SLOW_DISCOVERY = """
import time
import site_plugins.topics as t
_real = t.site_discovery
def site_discovery(*a, **k):
    time.sleep(120)
    return _real(*a, **k)
t.site_discovery = site_discovery
"""


def test_stopping_mid_build_leaves_no_process_of_the_build_behind(tmp_path, corpus300) -> None:
    """SIGTERM while the first build's forked discovery computes (held here for two minutes): it stops with the
    server (it went on computing, and the page workers writing the site, after `kb serve` had exited)."""
    from test_watch_api import Served

    content = tmp_path / "content"
    shutil.copytree(corpus300[0], content, symlinks=True)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SLOW_DISCOVERY, encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    srv = Served(tmp_path, content, PYTHONPATH=f"{hook}:{root}")
    mine = f"KB_CONTENT_DIR={content}"
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline and "Building documentation" not in srv.logs():
            assert srv.proc.poll() is None, srv.logs()[-5000:]
            time.sleep(0.05)
        while time.monotonic() < deadline and len(_processes_with(mine)) < 3:
            time.sleep(0.05)  # the server, its site worker and the discovery it forked
        assert len(_processes_with(mine)) >= 3, srv.logs()[-5000:]
    finally:
        code = srv.stop()
    assert code == 0
    end = time.monotonic() + 10
    while time.monotonic() < end and _processes_with(mine):
        time.sleep(0.1)
    left = _processes_with(mine)
    for pid in left:  # (not to leave them running if this fails)
        os.kill(pid, 9)
    assert left == []

