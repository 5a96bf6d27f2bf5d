"""The read model follows the store's revision in the background, and outlives the store going away."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api_fakes import FakeStore, record
from fastapi.testclient import TestClient

from api.app import create_app
from kbsync.settings import Settings
from kbsync.view.readmodel import ReadModel
from kbsync.view.refresher import ModelHolder


def eventually(cond: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if value := cond():
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def titles(c: TestClient, q: str) -> list[str]:
    return [h["title"] for h in c.get("/api/suggest", params={"q": q}).json()["hits"]]


def test_new_revision_is_picked_up_and_store_outage_degrades(tmp_path: Path) -> None:
    store = FakeStore([record("alpha", "Alpha Centauri", text="first star")])
    app = create_app(Settings(refresh_interval=0.05), store)
    with TestClient(app) as c:
        assert app.state.holder.wait_ready()
        assert titles(c, "alph") == ["Alpha Centauri"]
        store.put(record("beta", "Beta Pictoris", text="second star"))
        eventually(lambda: titles(c, "beta") == ["Beta Pictoris"])
        assert c.get("/api/health").json()["revision"] == 2

        store.fail = True  # the store goes away: last model keeps serving, health says degraded
        eventually(lambda: c.get("/api/health").json()["status"] == "degraded")
        assert c.get("/api/health").json()["store"] == "unreachable"
        assert c.get("/api/ready").status_code == 503
        assert titles(c, "beta") == ["Beta Pictoris"]
        assert c.get("/api/search", params={"q": "star"}).json()["total"] == 2
        assert c.get("/api/entries/beta").status_code == 503  # full records need the store
        assert "kb_store_up 0.0" in c.get("/metrics").text

        store.fail = False
        eventually(lambda: c.get("/api/health").json()["status"] == "ok")
        assert c.get("/api/entries/beta").json()["title"] == "Beta Pictoris"


def test_requests_are_not_blocked_by_a_rebuild() -> None:
    store = FakeStore([record("alpha", "Alpha Centauri")])
    release, building = threading.Event(), threading.Event()

    def slow_build(s: Any, previous: ReadModel | None) -> ReadModel:
        if s.rev > 1:
            building.set()
            release.wait(10)
        return ReadModel.from_store(s, previous)

    holder = ModelHolder(store, interval=0.05, build=slow_build)
    app = create_app(Settings(), store)
    app.state.holder = holder
    with TestClient(app) as c:  # the app's lifespan starts and stops the swapped-in holder
        assert holder.wait_ready()
        store.put(record("beta", "Beta Pictoris"))
        assert building.wait(10)
        t0 = time.perf_counter()
        assert titles(c, "alph") == ["Alpha Centauri"] and titles(c, "beta") == []  # old model, no wait
        assert time.perf_counter() - t0 < 1.0
        release.set()
        eventually(lambda: titles(c, "beta") == ["Beta Pictoris"])


def test_real_sqlite_store_follows_a_sync(tmp_path: Path) -> None:
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    content = tmp_path / "content"
    content.mkdir()
    (content / "Gamma Ray.md").write_text("---\ntitle: Gamma Ray\n---\nBurst.\n", encoding="utf-8")
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    app = create_app(Settings(refresh_interval=0.05), store)
    with TestClient(app) as c:
        assert app.state.holder.wait_ready()
        assert titles(c, "gamma") == ["Gamma Ray"]
        (content / "Delta Wing.md").write_text("---\ntitle: Delta Wing\nprivate: true\n---\nSECRET-DW\n", "utf-8")
        (content / "Epsilon.md").write_text("---\ntitle: Epsilon Eridani\n---\nLinks [[Gamma Ray]].\n", "utf-8")
        sync_content(content, store)
        eventually(lambda: titles(c, "epsilon") == ["Epsilon Eridani"])
        assert app.state.holder.model.patched == 2  # an incremental update: two entries read again
        assert titles(c, "delta") == []
        assert c.get("/api/entries/gamma-ray").json()["backlinks"] == [
            {"source": "epsilon", "kind": "link", "context": "Links Gamma Ray."}]


def test_poke_refreshes_without_waiting_for_the_poll() -> None:
    store = FakeStore([record("alpha", "Alpha Centauri")])
    holder = ModelHolder(store, interval=30.0)  # the poll alone would take 30 s
    holder.start()
    try:
        assert holder.wait_ready()
        store.put(record("beta", "Beta Pictoris"))
        t0 = time.perf_counter()
        holder.poke()
        eventually(lambda: holder.model is not None and holder.model.revision == 2, timeout=5)
        assert time.perf_counter() - t0 < 5
    finally:
        holder.stop()
