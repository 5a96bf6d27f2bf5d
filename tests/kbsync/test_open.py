"""The front door: `kbsync.open` and the CLI and API over it agree (entry JSON, search, suggest) per viewer."""
from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import kbsync
from kbsync.cli import app as cli
from tests.conftest import api_client

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "front-door-token"
VIEWERS = ["public", "token"]  # what the API serves; the owner is checked between the CLI and the library


@pytest.fixture(scope="module")
def kbdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("open")
    shutil.copytree(ROOT / "content", root / "content")
    log = root / "content" / "notes" / "Training Log.md"  # an unknown @mention: plain text, not a broken link
    log.write_text(log.read_text(encoding="utf-8") + "\nAsk @nobody about it.\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def kb(kbdir: Path) -> Any:
    kb = kbsync.open(kbdir / "content")
    kb.sync()
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def api(kb: Any) -> Any:
    with api_client(kb.store, TOKEN) as c:
        yield c


@pytest.fixture
def run(kbdir: Path) -> Any:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def run(*args: str) -> str:
        res = CliRunner().invoke(cli, [*args, "--content", str(kbdir / "content")])
        assert res.exit_code == 0, res.output
        return res.stdout

    yield run
    root.handlers[:], root.level = handlers, level


def _headers(viewer: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"} if viewer == "token" else {}


def test_front_door_is_exported() -> None:
    assert {"open", "KB", "entry_json", "can_see"} <= set(kbsync.__all__)
    assert all(hasattr(kbsync, name) for name in kbsync.__all__)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_entry_json_is_the_same_through_every_door(kb: Any, api: TestClient, run: Any, viewer: str) -> None:
    exported = {r["slug"]: r for r in map(json.loads, run("export", "--viewer", viewer).splitlines())}
    assert exported and exported == {r["slug"]: r for r in kb.entries(viewer=viewer)}
    for slug, rec in exported.items():
        assert json.loads(run("show", slug, "--json", "--viewer", viewer)) == rec, slug
        assert kb.get(slug, viewer=viewer) == rec, slug
        assert api.get(f"/api/entries/{slug}", headers=_headers(viewer)).json() == rec, slug
    hidden = {r["slug"] for r in kb.entries(viewer="owner")} - set(exported)
    assert hidden and all(api.get(f"/api/entries/{s}", headers=_headers(viewer)).status_code == 404 for s in hidden)


def test_owner_sees_the_same_through_the_cli_and_the_library(kb: Any, run: Any) -> None:
    exported = [json.loads(line) for line in run("export").splitlines()]
    assert exported == list(kb.entries(viewer="owner"))
    assert {r["visibility"] for r in exported} == {"public", "private", "draft"}


def test_entry_json_has_no_internal_keys_no_unknown_mentions_and_the_real_path(kb: Any, api: TestClient) -> None:
    for viewer in ("public", "token", "owner"):
        for rec in kb.entries(viewer=viewer):
            assert not {"field_lines", "listed_chapters", "hash"} & set(rec), rec["slug"]
    log = api.get("/api/entries/notes/training-log").json()
    assert "@nobody" not in [ln["raw"] for ln in log["links"]]
    assert [ln["target"] for ln in log["links"] if ln["kind"] == "mention"] == ["people/grace"]
    rdl = api.get("/api/entries/exercises/romanian-deadlift").json()
    assert rdl["path"] == "exercises/Romanian Deadlift.md"


SEARCHES = ["squat", "deadlift form", "ada", "crème", "private", "handbook chapters", "sqaut", "squats"]
SUGGESTS = ["sq", "dead", "ad", "cafe", "jour", "ideas"]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("q", SEARCHES)
def test_search_gives_the_same_hits_through_every_door(kb: Any, api: TestClient, run: Any, viewer: str, q: str) -> None:
    lib = kb.search(q, viewer=viewer)["hits"]
    cli_hits = json.loads(run("search", q, "--json", "--viewer", viewer))["hits"]
    http = api.get("/api/search", params={"q": q}, headers=_headers(viewer)).json()["hits"]
    assert lib == cli_hits == http


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("q", "type", "tag"), [("squat", None, None), ("squat", "exercise", None),
                                                ("deadlift", None, "fitness"), ("sqaut", "exercise", None)])
def test_search_facets_and_filters_agree_through_every_door(kb: Any, api: TestClient, run: Any, viewer: str, q: str,
                                                            type: str | None, tag: str | None) -> None:
    lib = kb.search(q, type=type, tag=tag, viewer=viewer)
    args = [*(["--type", type] if type else []), *(["--tag", tag] if tag else [])]
    cli_res = json.loads(run("search", q, "--json", "--viewer", viewer, *args))
    params = {"q": q} | ({"type": type} if type else {}) | ({"tag": tag} if tag else {})
    http = api.get("/api/search", params=params, headers=_headers(viewer)).json()
    assert lib == cli_res == http and lib["hits"] and lib["facets"]["type"]
    assert all(h["type"] == type for h in lib["hits"] if type)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("q", SUGGESTS)
def test_suggest_gives_the_same_hits_through_every_door(kb: Any, api: TestClient, run: Any, viewer: str,
                                                        q: str) -> None:
    lib = kb.suggest(q, limit=8, viewer=viewer)["hits"]
    cli_hits = json.loads(run("suggest", q, "--json", "--viewer", viewer))["hits"]
    http = api.get("/api/suggest", params={"q": q, "limit": 8}, headers=_headers(viewer)).json()["hits"]
    assert lib == cli_hits == http
    assert lib or q in ("jour",)  # something matches, except the private journal for the public viewer


def test_searches_find_something() -> None:  # keeps the parity tables above meaningful
    with kbsync.open(ROOT / "content", "sqlite:///:memory:") as kb:
        kb.sync()
        assert all(kb.search(q, viewer="token")["hits"] for q in SEARCHES)


def test_graph_is_a_digraph_with_edge_kinds(kb: Any) -> None:
    g = kb.graph()
    assert isinstance(g, nx.DiGraph)
    assert g.edges["notes/training-log", "people/grace"]["kind"] == "mention"
    assert g.nodes["exercises/squat"]["type"] == "exercise"
    assert "notes/private-journal" not in g and "notes/private-journal" in kb.graph(viewer="token")


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"^## Use it from Python\n.*?```python\n(.*?)```", readme, re.S | re.M)
    assert code, "README lacks the Python example"
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    exec(compile(code.group(1), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "Squat" in out and (tmp_path / ".kb" / "kb.sqlite").exists()
