"""A fresh `kb serve` (no store, no site) answers any page while its first build runs: the pages the build has
not written are rendered on demand; `/api/ready` says `building` meanwhile; hidden entries never answer; once
the build is complete the site folder serves the same pages.

The first build is held (a `sitecustomize` on the server's PYTHONPATH wraps `build_site` to wait for a file the
test writes), so "before the build" is certain, not a race.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
from test_watch_api import Served

ROOT = Path(__file__).resolve().parents[2]

CANARY = "ZQSERVECANARY"
HOLD = """
import os, time
import site_plugins.config as c
_real = c.build_site
def build_site(*a, **k):
    while not os.path.exists(os.environ["KB_TEST_RELEASE"]):
        time.sleep(0.05)
    return _real(*a, **k)
c.build_site = build_site
"""


def test_a_fresh_start_serves_pages_on_demand_until_its_first_build_is_complete(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "zsecret.md").write_text(f"---\nprivate: true\n---\n# Zsecret\n\n{CANARY}\n", encoding="utf-8")
    (content / "zdraft.md").write_text(f"---\ndraft: true\n---\n# Zdraft\n\n{CANARY}\n", encoding="utf-8")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOLD, encoding="utf-8")
    release = tmp_path / "release"
    srv = Served(tmp_path, content, PYTHONPATH=f"{hook}:{ROOT}", KB_TEST_RELEASE=str(release))
    try:
        deadline = time.monotonic() + 120
        page = None
        while time.monotonic() < deadline:
            assert srv.proc.poll() is None, srv.logs()[-5000:]
            try:
                page = srv.http.get("/start-here/")
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            if page.status_code == 200:
                break
            time.sleep(0.05)
        assert page is not None and page.status_code == 200, srv.logs()[-5000:]
        assert page.headers.get("x-kb-page") == "on-demand" and "Start Here" in page.text
        ready = srv.http.get("/api/ready").json()
        assert ready["site"] == "building" and ready["status"] == "ok", ready
        home = srv.http.get("/")
        assert home.status_code == 200 and "kb-card-recent" in home.text
        for hidden in ("/zsecret/", "/zdraft/", "/zsecret/kb-preview.json"):
            r = srv.http.get(hidden)
            assert r.status_code == 404 and CANARY not in r.text, hidden
        assert not (tmp_path / "site" / "start-here").exists()  # nothing written into the site folder
        release.touch()
        while time.monotonic() < deadline and srv.http.get("/api/ready").json().get("site") != "complete":
            time.sleep(0.1)
        assert srv.http.get("/api/ready").json()["site"] == "complete"
        built = srv.http.get("/start-here/")
        assert "x-kb-page" not in built.headers
        assert built.content == page.content  # a small site: discovery computed on demand too, same bytes
        assert srv.http.get("/zsecret/").status_code == 404
    finally:
        release.touch()
        code = srv.stop()
    assert code == 0
    assert "Traceback" not in srv.logs(), srv.logs()[-5000:]
