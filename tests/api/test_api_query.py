"""`GET /api/query`: the same answer as `kb query --json` and `kb.query()`, hidden entries never shown, 422s."""
from __future__ import annotations

import gc
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fakes import AUTH, FakeStore, record
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import kbsync
from kbsync.cli import app as cli
from kbsync.view.queries import QueryPages

QUERIES = [
    "LIST SORT file.name LIMIT 25",
    "TABLE date, file.folder FROM #{tag} SORT date DESC, file.name LIMIT 20",
    'TABLE WITHOUT ID file.link AS "Entry", length(file.inlinks) AS n SORT length(file.inlinks) DESC, file.name '
    "LIMIT 10",
    "TABLE length(rows) AS n GROUP BY file.folder",
    "LIST FROM #{tag} AND -#{tag2} WHERE date > date(2020-01-01) SORT date",
    "TABLE file.inlinks, file.outlinks FROM #{tag}",
    "TASK FROM #{tag}",
    "CALENDAR date FROM #{tag}",
]
VIEWERS = [("public", {}), ("token", AUTH)]


@pytest.fixture(scope="module")
def tags(store: Any) -> dict[str, str]:
    common = [t for t, _ in Counter(t for r in store.entries() for t in r.get("tags") or []).most_common(2)]
    return {"tag": common[0], "tag2": common[1]}


def slugs_in(obj: Any) -> Iterator[str]:
    """Every entry a query answer names (links carry their slug)."""
    if isinstance(obj, dict):
        if isinstance(obj.get("slug"), str):
            yield obj["slug"]
        for v in obj.values():
            yield from slugs_in(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from slugs_in(v)


@pytest.mark.parametrize(("viewer", "headers"), VIEWERS, ids=[v for v, _ in VIEWERS])
@pytest.mark.parametrize("template", QUERIES)
def test_api_equals_cli_and_core(client: TestClient, store: Any, corpus300: tuple[Path, dict], tags: dict[str, str],
                                 template: str, viewer: str, headers: dict[str, str]) -> None:
    q = template.format(**tags)
    r = client.get("/api/query", params={"q": q}, headers=headers)
    assert r.status_code == 200, r.text
    cli_out = CliRunner().invoke(cli, ["query", q, "--json", "--viewer", viewer, "--store", store.url])
    assert cli_out.exit_code == 0, cli_out.output
    with kbsync.open(corpus300[0], store) as kb:
        core = kb.query(q, viewer=viewer)
    assert r.json() == json.loads(cli_out.stdout) == core
    assert core["count"] > 0 or template.startswith("TASK"), core  # the table is not all empty answers


@pytest.mark.parametrize(("viewer", "headers", "shown"), [("public", {}, {"public"}),
                                                          ("token", AUTH, {"public", "private"})])
@pytest.mark.parametrize("q", ["LIST", "TABLE file.inlinks, file.outlinks", "TABLE t FLATTEN file.inlinks AS t"])
def test_hidden_entries_never_appear(client: TestClient, slugs: dict[str, list[str]], q: str, viewer: str,
                                     headers: dict[str, str], shown: set[str]) -> None:
    """Canary: drafts never, private entries only with the token (as rows or as links inside values)."""
    r = client.get("/api/query", params={"q": q}, headers=headers)
    assert r.status_code == 200, r.text
    named = set(slugs_in(r.json()))
    assert not named & set(slugs["draft"])
    hidden = {v for v in ("private", "draft") if v not in shown}
    assert not named & {s for v in hidden for s in slugs[v]}
    if q == "LIST":  # every entry the viewer may see is a row
        assert named == {s for v in shown for s in slugs[v]}


def test_page_model_built_once_per_viewer(client: TestClient) -> None:
    holder = client.app.state.holder  # type: ignore[attr-defined]
    for headers in ({}, AUTH):
        client.get("/api/query", params={"q": "LIST LIMIT 1"}, headers=headers)
    before = holder.queries.builds
    for i in range(5):
        for headers in ({}, AUTH):
            assert client.get("/api/query", params={"q": f"LIST LIMIT {i + 1}"}, headers=headers).status_code == 200
    assert holder.queries.builds == before


@pytest.mark.parametrize(("q", "names"), [
    ("TABLE FROM WHERE ((", "q"),
    ("SELECT * FROM notes", "q"),
    ("LIST WHERE nosuchfunction(file.name)", "nosuchfunction"),
    ("LIST " + "x" * 2001, "2000"),
    ("", "q"),
    ("LIST FLATTEN [" + ", ".join(map(str, range(40))) + "] AS n", "row budget"),  # 300 × 40: past 10,000 rows
])
def test_unprocessable(client: TestClient, q: str, names: str) -> None:
    r = client.get("/api/query", params={"q": q})
    assert r.status_code == 422, r.text
    assert names in json.dumps(r.json()), r.json()


def test_time_budget(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.routes.query.API_TIME_LIMIT", 0.0)
    r = client.get("/api/query", params={"q": "LIST WHERE file.name"})
    assert r.status_code == 422 and "budget" in r.json()["detail"][0]["msg"], r.text


class FilesFakeStore(FakeStore):
    def file_states(self) -> dict[str, Any]:
        return {}


def test_page_model_follows_the_store_revision() -> None:
    """Cached per (revision, viewer): same revision, no rebuild; a sync that moves it shows the new entry."""
    store = FilesFakeStore([record("a", "A"), record("s", "S", visibility="private")])
    cache = QueryPages()

    def names(viewer: str) -> list[str]:
        return [row[0]["slug"] for row in cache.query(store, "LIST SORT file.name", viewer)["rows"]]

    assert (names("public"), names("public"), names("token")) == (["a"], ["a"], ["a", "s"])
    assert cache.builds == 2
    assert gc.get_freeze_count() > 0  # the page models are exempt from full collections (1-2 s at 100k entries)
    store.put(record("b", "B"))
    assert names("public") == ["a", "b"] and cache.builds == 3
