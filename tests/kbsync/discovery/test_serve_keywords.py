"""`kb serve` with keywords on (the default): entries are served at once, keywords come in behind, an edit's too."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.test_watch_api import Served, free_port

from .conftest import note

TEXT = "The {0} is a strength exercise. A heavy {0} builds the legs and the back. Train the {0} each week."


class KeywordsServed(Served):
    """`Served` as a new user runs it: KB_KEYWORDS unset (on by default)."""

    def __init__(self, base: Path, content: Path) -> None:
        self.base, self.content, self.db = base, content, base / "kb.sqlite"
        self.port = free_port()
        self.out, self.err = base / "serve.out", base / "serve.err"
        env = {k: v for k, v in os.environ.items() if k != "KB_KEYWORDS"}
        env.update(KB_CONTENT_DIR=str(content), KB_STORE_URL=f"sqlite://{self.db}", KB_SITE_DIR=str(base / "site"),
                   KB_LOG_LEVEL="INFO")
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "kbsync", "serve", "--host", "127.0.0.1",
                                          "--port", str(self.port)], cwd=base, env=env, stdout=out, stderr=err)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)


def keywords(srv: Served, slug: str) -> list[str]:
    r = srv.http.get(f"/api/entries/{slug}")
    return r.json().get("keywords") or [] if r.status_code == 200 else []


def eventually(check, timeout: float = 90) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_kb_serve_fills_keywords_behind_and_after_an_edit(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for w in ("squat", "deadlift"):
        (content / f"{w}.md").write_text(note(w.title(), TEXT.format(w)), encoding="utf-8")
    srv = KeywordsServed(tmp_path, content)
    try:
        srv.wait_healthy()
        assert eventually(lambda: "squat" in " ".join(keywords(srv, "squat")).lower()), srv.logs()
        (content / "deadlift.md").write_text(note("Deadlift", TEXT.format("kettlebell swing")), encoding="utf-8")
        assert eventually(lambda: "kettlebell" in " ".join(keywords(srv, "deadlift")).lower()), srv.logs()
        assert "keywords: 1 entries filled (1 computed" in srv.logs()  # the edit recomputed that entry only
    finally:
        assert srv.stop() == 0, srv.logs()
