"""Dependencies are injected: a test can hand the app any read model and token rule without a store."""
from __future__ import annotations

from api_fakes import FakeStore, record
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import get_model, get_viewer
from kbsync.settings import Settings
from kbsync.view.readmodel import ReadModel


def test_overridden_model_and_auth() -> None:
    model = ReadModel.from_store(FakeStore([record("a", "Aurora Borealis"),
                                            record("b", "Boreal Forest", visibility="private")]))
    app = create_app(Settings())  # no store at all: nothing starts without the lifespan
    app.dependency_overrides[get_model] = lambda: model
    c = TestClient(app)
    assert [h["title"] for h in c.get("/api/suggest", params={"q": "bore"}).json()["hits"]] == ["Aurora Borealis"]
    app.dependency_overrides[get_viewer] = lambda: "token"
    assert [h["title"] for h in c.get("/api/search", params={"q": "boreal"}).json()["hits"]] == ["Boreal Forest"]
    assert {h["title"] for h in c.get("/api/suggest", params={"q": "bore"}).json()["hits"]} == {
        "Aurora Borealis", "Boreal Forest"}
    assert c.get("/api/entries").json()["items"][-1]["title"] == "Boreal Forest"
