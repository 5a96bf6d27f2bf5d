"""No draft or private entry leaks through any route: canary strings and hidden slugs, every route, odd inputs."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from api_fakes import AUTH
from fastapi.testclient import TestClient

from kbsync.testing.corpus import canary_index

OPERATOR_INPUTS = ['{"$gt": ""}', '{"$ne": null}', "../", "../../etc/passwd", "..%2F..%2F", "*", "%", "_",
                   "' OR 1=1 --", "title:*", "visibility:private", "private", "draft", "CANARY", "HIDDEN",
                   "<script>alert(1)</script>", "\\", "null", "[[", "#", "@"]


def canaries(truth: dict, kind: str) -> list[str]:
    """Canary strings of draft (kind='draft') or private entries; canary i belongs to the i-th entry."""
    paths = list(truth["entries"])
    out = []
    for c in truth["private_canaries"]:
        t = truth["entries"][paths[canary_index(c)]]
        if t[kind]:
            out.append(c)
    return out


def slug_fields(obj: Any) -> Iterator[str]:
    """Every value in a response that names an entry."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("slug", "source", "target", "next_cursor") and isinstance(v, str):
                yield v
            elif k == "url" and isinstance(v, str):
                yield v.strip("/")
            else:
                yield from slug_fields(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from slug_fields(v)


def responses(client: TestClient, truth: dict, slugs: dict, headers: dict) -> Iterator[tuple[str, Any]]:
    """(url, response) for every route, with queries made of hidden content and operator-shaped input."""
    hidden_titles = [t["title"] for t in truth["entries"].values() if t["draft"] or t["private"]]
    hidden_aliases = [a for t in truth["entries"].values() if t["draft"] or t["private"] for a in t["aliases"]]
    queries = truth["private_canaries"] + hidden_titles + hidden_aliases + OPERATOR_INPUTS
    queries += [w for t in hidden_titles for w in t.split()[:1]]  # first words: prefix typing
    for q in queries:
        for path in ("/api/suggest", "/api/search"):
            yield f"{path}?q={q}", client.get(path, params={"q": q, "limit": 100}, headers=headers)
    for q in OPERATOR_INPUTS:
        for path, params in [("/api/entries", {"type": q, "tag": q, "cursor": q}), ("/api/graph", {"center": q}),
                             ("/api/graph/path", {"src": q, "dst": q}), ("/api/search", {"q": "a", "type": q}),
                             ("/api/search", {"q": "a", "tag": q})]:
            yield f"{path} {params}", client.get(path, params=params, headers=headers)
        yield f"/api/entries/{q}", client.get(f"/api/entries/{q}", headers=headers)
    cursor = None
    while True:
        r = client.get("/api/entries", params={"limit": 100} | ({"cursor": cursor} if cursor else {}), headers=headers)
        yield "/api/entries", r
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    yield "/api/tags", client.get("/api/tags", headers=headers)
    for s in slugs["public"]:
        yield f"/api/entries/{s}", client.get(f"/api/entries/{s}", headers=headers)
        yield f"/api/graph?center={s}", client.get("/api/graph", params={"center": s, "depth": 1}, headers=headers)
    for s in slugs["public"][::10]:
        yield f"/api/graph?center={s}&depth=3", client.get("/api/graph", params={"center": s, "depth": 3},
                                                            headers=headers)
    for s in slugs["private"] + slugs["draft"]:
        for path, params in [(f"/api/entries/{s}", {}), ("/api/graph", {"center": s}),
                             ("/api/graph/path", {"src": slugs["public"][0], "dst": s})]:
            yield f"{path} {params}", client.get(path, params=params, headers=headers)
    yield "/metrics", client.get("/metrics", headers=headers)


def check(client: TestClient, truth: dict, slugs: dict, headers: dict, secret: list[str], hidden: set[str]) -> int:
    n = 0
    for url, r in responses(client, truth, slugs, headers):
        n += 1
        assert r.status_code < 500, url
        body = r.text
        if r.headers.get("content-type", "").startswith("application/json"):
            data = r.json()
            if isinstance(data, dict):  # what the caller sent comes back: `query`, or a 422's `detail`
                body = str({k: v for k, v in data.items() if k not in ("query", "center", "src", "dst")
                            and not (k == "detail" and r.status_code == 422)})
        for c in secret:
            assert c not in body, f"{c} leaked through {url}"
        if r.headers.get("content-type", "").startswith("application/json"):
            leaked = set(slug_fields(r.json())) & hidden
            assert not leaked, f"{sorted(leaked)[:3]} leaked through {url}"
    return n


def test_anonymous_sees_no_draft_or_private_content(client: TestClient, truth: dict, slugs: dict) -> None:
    assert truth["private_canaries"] and slugs["private"] and slugs["draft"]
    hidden = set(slugs["private"]) | set(slugs["draft"])
    assert check(client, truth, slugs, {}, truth["private_canaries"], hidden) > 800


def test_token_holder_never_sees_drafts(client: TestClient, truth: dict, slugs: dict) -> None:
    check(client, truth, slugs, AUTH, canaries(truth, "draft"), set(slugs["draft"]))


@pytest.mark.parametrize("kind", ["private"])
def test_token_holder_does_see_private_entries(client: TestClient, truth: dict, slugs: dict, kind: str) -> None:
    canary = canaries(truth, kind)[0]
    anonymous = client.get("/api/search", params={"q": canary}).json()["hits"]
    assert not any(h["slug"] in slugs["private"] or canary in h["snippet"] for h in anonymous)
    hits = client.get("/api/search", params={"q": canary}, headers=AUTH).json()["hits"]
    assert hits and hits[0]["slug"] in slugs["private"]
    assert canary in re.sub("</?mark>", "", hits[0]["snippet"])
    slug = slugs["private"][0]
    title = client.get(f"/api/entries/{slug}", headers=AUTH).json()["title"]
    assert slug in [h["slug"] for h in client.get("/api/suggest", params={"q": title}, headers=AUTH).json()["hits"]]
