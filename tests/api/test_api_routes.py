"""Every route over a SQLite store synced by the real core pipeline from a 300-entry gen_corpus."""
from __future__ import annotations

from typing import Any

import pytest
from api_fakes import AUTH, ORIGIN
from fastapi.testclient import TestClient

from kbsync.tags import matches

ITEM_KEYS = {"slug", "title", "url", "type"}


def public_entry(truth: dict, with_alias: bool = False) -> dict[str, Any]:
    for path, t in truth["entries"].items():
        if not (t["draft"] or t["private"]) and t["type"] == "note" and (t["aliases"] or not with_alias):
            return t | {"path": path}
    raise AssertionError("corpus has no such entry")


def test_health_and_ready(client: TestClient) -> None:
    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["store"] == "ok" and h["entries"] > 250 and h["revision"] >= 1
    assert client.get("/api/ready").status_code == 200


def test_suggest_finds_titles_and_aliases(client: TestClient, truth: dict) -> None:
    t = public_entry(truth, with_alias=True)
    hits = client.get("/api/suggest", params={"q": t["title"][:-1]}).json()["hits"]
    assert hits[0]["title"] == t["title"] and ITEM_KEYS <= set(hits[0])
    hits = client.get("/api/suggest", params={"q": t["aliases"][0]}).json()["hits"]
    assert (hits[0]["title"], hits[0]["matched"], hits[0]["alias"]) == (t["title"], "alias", t["aliases"][0])


def test_search_shape_and_filters(client: TestClient) -> None:
    res = client.get("/api/search", params={"q": "object file", "limit": 5}).json()
    assert set(res) == {"query", "total", "offset", "limit", "hits", "fuzzy", "facets"} and res["total"] > 5 and len(res["hits"]) == 5
    assert all(ITEM_KEYS | {"snippet", "score"} <= set(h) and "<mark>" in h["snippet"] for h in res["hits"])
    typed = client.get("/api/search", params={"q": "object", "type": "exercise", "limit": 100}).json()
    assert typed["hits"] and all(h["type"] == "exercise" for h in typed["hits"])


def test_entries_pagination_walks_every_public_entry_once(client: TestClient, slugs: dict) -> None:
    seen, cursor = [], None
    while True:
        page = client.get("/api/entries", params={"limit": 37} | ({"cursor": cursor} if cursor else {})).json()
        seen += [i["slug"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(slugs["public"])


def test_entries_filters(client: TestClient) -> None:
    people = client.get("/api/entries", params={"type": "person", "limit": 100}).json()["items"]
    assert people and all(p["type"] == "person" for p in people)
    tag = people[0]["tags"][0] if people[0]["tags"] else None
    if tag:
        tagged = client.get("/api/entries", params={"tag": tag, "limit": 100}).json()["items"]
        # one Tag rule (kbsync.tags): any case, and nested tags (`tag/sub`) count for their parent
        assert tagged and all(matches(i["tags"], tag) for i in tagged)
        assert all(any(t.casefold() == tag.casefold() or t.casefold().startswith(tag.casefold() + "/")
                       for t in i["tags"]) for i in tagged)


def test_entry_detail(client: TestClient, store: Any, truth: dict) -> None:
    t = public_entry(truth)
    slug = next(s for s in (r["slug"] for r in store.entries()) if store.get(s)["path"] == t["path"])
    e = client.get(f"/api/entries/{slug}").json()
    assert e["title"] == t["title"] and e["url"] == f"/{slug}/" and e["visibility"] == "public"
    assert {"path", "tags", "aliases", "fields", "links", "backlinks"} <= set(e)
    want_back = {p for p in truth["backlinks"].get(t["path"], [])}
    got_back = {store.get(b["source"])["path"] for b in e["backlinks"]}
    assert got_back == want_back


def test_entry_missing_is_404(client: TestClient) -> None:
    assert client.get("/api/entries/no/such/entry").status_code == 404


def test_tags_counts_public_entries(client: TestClient, store: Any) -> None:
    tags = {t["tag"]: t["count"] for t in client.get("/api/tags").json()}
    want: dict[str, int] = {}  # folded, nested tags counted for their parents too
    for r in store.entries():
        if r["visibility"] == "public":
            for k in {"/".join(t.casefold().split("/")[:i + 1]) for t in r["tags"] for i in range(t.count("/") + 1)}:
                want[k] = want.get(k, 0) + 1
    assert {t.casefold(): n for t, n in tags.items()} == want and len(tags) == len(want)


def test_graph_and_path(client: TestClient, slugs: dict) -> None:
    center = max(slugs["public"], key=lambda s: len(client.get(f"/api/entries/{s}").json()["backlinks"])
                 if s.startswith("people/") else 0)
    g1 = client.get("/api/graph", params={"center": center, "depth": 1}).json()
    g2 = client.get("/api/graph", params={"center": center, "depth": 2}).json()
    assert g1["nodes"][0] == {"slug": center, "distance": 0} | {k: g1["nodes"][0][k] for k in ITEM_KEYS - {"slug"}}
    assert 1 < len(g1["nodes"]) < len(g2["nodes"]) <= 500
    assert {n["slug"] for n in g1["nodes"]} <= {n["slug"] for n in g2["nodes"]}
    far = next(n["slug"] for n in g2["nodes"] if n["distance"] == 2)
    path = client.get("/api/graph/path", params={"src": center, "dst": far}).json()["path"]
    assert len(path) == 3 and path[0]["slug"] == center and path[-1]["slug"] == far
    assert client.get("/api/graph", params={"center": "nope"}).status_code == 404


def test_metrics(client: TestClient) -> None:
    client.get("/api/suggest", params={"q": "a"})
    text = client.get("/metrics").text
    for name in ("kb_api_requests_total", "kb_api_request_seconds_bucket", "kb_index_entries",
                 "kb_index_revision", "kb_store_up 1.0"):
        assert name in text
    assert 'route="/api/suggest"' in text


def test_openapi_documents_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {"/api/health", "/api/ready", "/api/suggest", "/api/search", "/api/entries",
                          "/api/entries/{slug}", "/api/tags", "/api/graph", "/api/graph/path", "/metrics"}


def test_cors(client: TestClient) -> None:
    r = client.get("/api/suggest", params={"q": "a"}, headers={"Origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == ORIGIN
    pre = client.options("/api/suggest", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200
    other = client.get("/api/suggest", params={"q": "a"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(("path", "params"), [
    ("/api/suggest", {"q": "x" * 201}),
    ("/api/suggest", {"q": "a", "limit": 101}),
    ("/api/suggest", {"q": "a", "limit": 0}),
    ("/api/search", {"q": "x" * 201}),
    ("/api/search", {"q": "a", "limit": 1000}),
    ("/api/search", {"q": "a", "offset": -1}),
    ("/api/entries", {"limit": 101}),
    ("/api/graph", {"center": "a", "depth": 4}),
    ("/api/graph", {"center": "a", "depth": -1}),
    ("/api/graph", {}),
    ("/api/graph/path", {"src": "a"}),
])
def test_input_limits_are_422(client: TestClient, path: str, params: dict) -> None:
    assert client.get(path, params=params).status_code == 422


def test_wrong_token_is_401_and_right_token_sees_private(client: TestClient, slugs: dict) -> None:
    slug = slugs["private"][0]
    assert client.get(f"/api/entries/{slug}").status_code == 404
    assert client.get(f"/api/entries/{slug}", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(f"/api/entries/{slug}", headers=AUTH).json()["visibility"] == "private"
    draft = slugs["draft"][0]
    assert client.get(f"/api/entries/{draft}", headers=AUTH).status_code == 404


def test_links_to_hidden_entries_look_broken(client: TestClient, store: Any, slugs: dict) -> None:
    hidden = set(slugs["private"]) | set(slugs["draft"])
    src, raw = next((r["slug"], ln["raw"]) for r in store.entries() if r["visibility"] == "public"
                    for ln in r["links"] if ln["target"] in hidden)
    shown = client.get(f"/api/entries/{src}").json()["links"]
    assert any(ln["raw"] == raw and ln["target"] is None for ln in shown)
    assert not {ln["target"] for ln in shown} & hidden
    assert "problems" not in client.get(f"/api/entries/{src}").json()
