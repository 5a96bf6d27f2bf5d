"""The doors onto the engine: `kb query` (text and --json, viewers) and `kb check` (query errors at path:line)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbsync.cli import app
from tests.conftest import write

runner = CliRunner()


def kb(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def vault(vault_store) -> list[str]:
    root, _ = vault_store
    return ["--content", str(root), "--store", f"sqlite://{root.parent / 'kb.sqlite'}"]


def test_query_json(vault: list[str]) -> None:
    code, out, _ = kb("query", 'TABLE rating, author FROM #book WHERE author SORT rating DESC', "--json", *vault)
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "table" and data["count"] == 3 and data["headers"] == ["File", "rating", "author"]
    first = data["rows"][0]
    assert first[0]["slug"] == "books/the-hobbit" and first[1] == 9 and first[2]["display"] == "Tolkien"


def test_query_text(vault: list[str]) -> None:
    code, out, err = kb("query", "LIST FROM #game SORT rating DESC", *vault)
    assert code == 0 and out.split("\n")[1:4] == ["Chess", "Go", "Tetris"] and "3 results" in err


@pytest.mark.parametrize(("viewer", "visible"), [("public", set()), ("token", {"Secret"}),
                                                  ("owner", {"Secret", "Hidden Draft"})])
def test_query_viewer(viewer: str, visible: set[str], vault: list[str]) -> None:
    code, out, _ = kb("query", "LIST WITHOUT ID file.name FROM #canary", "--json", "--viewer", viewer, *vault)
    assert code == 0 and {r[0] for r in json.loads(out)["rows"]} == visible


def test_query_error_exits_1(vault: list[str]) -> None:
    code, _, err = kb("query", "LIST WHERE", *vault)
    assert code == 1 and "query error: query ends too early" in err


def test_check_lists_query_errors_at_path_line(tmp_path: Path) -> None:
    root = write(tmp_path / "content", {
        "good.md": "# Good\n\n```dataview\nLIST FROM #x\n```\n",
        "bad.md": "---\ntitle: Bad\n---\ntext\n\n```dataview\nTABLE rating\nFROM #x\nWHERE\n```\n\n"
                  "```dataviewjs\ndv.list([])\n```\n\n> ```dataview\n> LIST WHERE nosuch(1)\n> ```\n\n```base\nviews:\n  - type: map\n```\n",
        "example.md": "````markdown\n```dataview\nLIST WHERE\n```\n````\n",
        "lists/Books.base": "filters: file.hasTag(\"x\")\nviews:\n  - type: table\n    order: [file.name\n",
        "lists/Fine.base": "views:\n  - type: cards\n",
    })
    code, out, _ = kb("check", "--json", "--content", str(root), "--store", f"sqlite://{tmp_path / 'kb.sqlite'}")
    problems = [(p["path"], p["line"], p["level"], p["message"]) for p in json.loads(out)
                if p["code"] == "query" and p["path"].endswith(".md")]
    assert code == 1
    assert [(p, line, level) for p, line, level, _ in problems] == [
        ("bad.md", 7, "error"), ("bad.md", 13, "warning"), ("bad.md", 17, "error"), ("bad.md", 21, "error")]
    assert "ends too early" in problems[0][3] and "DataviewJS" in problems[1][3] and "nosuch" in problems[2][3]
    assert "base query: view type 'map'" in problems[3][3]
    bases = [(p["path"], p["line"], p["message"]) for p in json.loads(out) if p["path"].endswith(".base")]
    assert bases == [("lists/Books.base", 5, "base: base is not valid YAML at line 5, column 1")]
