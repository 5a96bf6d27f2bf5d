"""A real uvicorn server on a free loopback port: API, CORS and the built site on one port."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from api_fakes import ORIGIN

from api.app import create_app
from kbsync.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(store: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text("<html><body>kb site home</body></html>", encoding="utf-8")
    (site / "notes").mkdir()
    (site / "notes" / "index.html").write_text("<p>notes page</p>", encoding="utf-8")
    port = free_port()
    settings = Settings(host="127.0.0.1", port=port, cors_origins=[ORIGIN], site_dir=site)
    srv = uvicorn.Server(uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/api/ready", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        pytest.fail("server did not become ready")
    yield base
    srv.should_exit = True
    thread.join(30)


def test_api_over_http(server: str, truth: dict) -> None:
    title = next(t["title"] for t in truth["entries"].values() if not (t["draft"] or t["private"]))
    with httpx.Client(base_url=server) as c:
        assert c.get("/api/health").json()["status"] == "ok"
        r = c.get("/api/suggest", params={"q": title}, headers={"Origin": ORIGIN})
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert r.json()["hits"][0]["title"] == title
        assert c.get("/api/search", params={"q": title}).json()["hits"][0]["title"] == title
        assert c.get("/openapi.json").json()["info"]["title"] == "kb API"
        assert 'route="/api/suggest"' in c.get("/metrics").text


def test_site_is_served_beside_the_api(server: str) -> None:
    with httpx.Client(base_url=server) as c:
        assert "kb site home" in c.get("/").text
        assert "notes page" in c.get("/notes/").text
        assert c.get("/no-such-page/").status_code == 404
        assert c.get("/api/health").headers["content-type"].startswith("application/json")


def test_default_store_is_the_clis(tmp_path: Path) -> None:
    s = Settings(content_dir=tmp_path / "content")
    assert s.resolved_store_url() == f"sqlite://{(tmp_path / '.kb' / 'kb.sqlite').as_posix()}"
    assert Settings(store_url="mongodb://db/").resolved_store_url() == "mongodb://db/"
