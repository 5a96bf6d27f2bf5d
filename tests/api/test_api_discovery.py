"""`GET /api/entries/{slug}/related`, `GET /api/duplicates[?title=]` and the entry route's discovery fields: per
viewer, nothing hidden reaches a public caller, and the routes agree with `kbsync.open()`."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import kbsync
from api.app import create_app
from kbsync.settings import Settings
from tests.conftest import write
from tests.discovery_sample import CANARY, HIDDEN, make

TOKEN = "disc-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PRIVATE = f"{CANARY.lower()}-private"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("apidisc")
    content = make(root)
    write(content, {"notes/related.md": "---\ntitle: Related Notes\n---\nAn entry whose slug ends in related.\n"})
    kb = kbsync.open(content, f"sqlite://{root / 'kb.sqlite'}")
    kb.sync()
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def client(kb: Any) -> Iterator[TestClient]:
    app = create_app(Settings(api_token=TOKEN, content_dir=kb.content_dir), kb.store)
    with TestClient(app) as c:
        assert app.state.holder.wait_ready()
        yield c


@pytest.mark.parametrize("viewer, headers", [("public", {}), ("token", AUTH)])
def test_related_route_agrees_with_the_library(kb: Any, client: TestClient, viewer: str, headers: dict) -> None:
    got = client.get("/api/entries/squat/related", headers=headers).json()
    want = kb.related("squat", viewer=viewer)
    assert got["slug"] == "squat" and [{"slug": x["slug"], "score": x["score"]} for x in got["related"]] == want
    assert all({"title", "url", "type"} <= set(x) for x in got["related"]) and 0 < len(want) <= 5
    assert client.get("/api/entries/squat", headers=headers).json() == kb.get("squat", viewer=viewer)


@pytest.mark.parametrize("path, headers, status", [
    (f"/api/entries/{PRIVATE}/related", {}, 404),
    (f"/api/entries/{PRIVATE}/related", AUTH, 200),
    (f"/api/entries/{CANARY.lower()}-draft/related", AUTH, 404),
    ("/api/entries/no/such/related", {}, 404),
])
def test_related_of_a_hidden_entry_is_a_404(client: TestClient, path: str, headers: dict, status: int) -> None:
    assert client.get(path, headers=headers).status_code == status


def test_an_entry_whose_slug_ends_in_related_is_still_served(client: TestClient) -> None:
    assert client.get("/api/entries/notes/related").json()["title"] == "Related Notes"


def test_duplicate_pairs_and_title_check(client: TestClient) -> None:
    pairs = client.get("/api/duplicates").json()["pairs"]
    assert [(p["a"]["slug"], p["b"]["slug"]) for p in pairs] == [("squat", "squats")]
    assert pairs[0]["reason"].startswith("title") and pairs[0]["a"]["url"] == "/squat/"
    hits = client.get("/api/duplicates", params={"title": "Back Squat"}).json()["hits"]
    assert hits[0] | {"score": 0} == {"slug": "squat", "title": "Squat", "url": "/squat/", "type": "note", "score": 0,
                                     "reason": "alias 100%"}
    assert client.get("/api/duplicates", params={"title": "Completely different"}).json()["hits"] == []
    token_pairs = client.get("/api/duplicates", headers=AUTH).json()["pairs"]
    assert PRIVATE in {p[k]["slug"] for p in token_pairs for k in "ab"}


PUBLIC_GETS = ["/api/duplicates", "/api/duplicates?title=ZQXCANARY%20Private%20Squat", "/api/duplicates?title=Squat",
               "/api/entries/squat", "/api/entries/squat/related", "/api/entries/squats", "/api/entries/training-log",
               "/api/entries/squats/related", "/api/entries/squat-rack"]


@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_no_hidden_text_or_slug_reaches_a_public_caller(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    body = json.dumps({k: v for k, v in r.json().items() if k != "title" or "?" not in path},  # the query's echo
                      ensure_ascii=False)
    assert CANARY not in body and not any(h in body for h in HIDDEN)


def test_title_is_bounded(client: TestClient) -> None:
    assert client.get("/api/duplicates", params={"title": "x" * 201}).status_code == 422
