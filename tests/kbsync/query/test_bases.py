"""Obsidian Bases on the query engine, from the Bases syntax help page (filters, formulas, properties, views)."""
from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from kbsync.query import QueryError
from kbsync.query.bases import _value, parse_base, render_base, run_base
from kbsync.query.engine import Env

from .conftest import NOW
from .test_conformance import p


def rows(yaml_text: str, pages) -> list[Any]:
    """Each view's rows as lists of its `order` values (grouped views: (key, rows) pairs)."""
    base = parse_base(yaml_text)
    env = Env(pages, None, NOW, 5, 10_000)
    out = []
    for res in run_base(base, pages, now=NOW):
        def vals(r: Any, res: Any = res) -> list[Any]:
            return [p(_value(r, pid, env)) for pid in res.view.order]
        if res.groups is not None:
            out.append([(p(k), [vals(r) for r in rs]) for k, rs in res.groups])
        else:
            out.append([vals(r) for r in res.rows])
    return out


def one(view: str) -> str:
    return f"views:\n  - type: table\n    order: [file.name]\n{view}"


CASES: list[tuple[str, Any]] = [
    ('filters: file.hasTag("game")\n' + one(""), [[["Chess"], ["Go"], ["Tetris"]]]),
    ('filters: file.hasTag("game/board")\n' + one(""), [[["Chess"], ["Go"]]]),
    ('filters: file.hasTag("author", "project")\n' + one(""),
     [[["Austen"], ["Herbert"], ["Tolkien"], ["Garden"], ["Kitchen"]]]),
    ('filters: file.inFolder("books/archive")\n' + one(""), [[["Old Book"]]]),
    ('filters: file.inFolder("games")\n' + one(""), [[["Chess"], ["Go"], ["Tetris"]]]),
    ('filters: file.hasLink("Garden")\n' + one(""), [[["Home"], ["2024-05-01"], ["2024-05-02"]]]),
    ("filters:\n  and:\n    - file.hasTag(\"book\")\n    - 'status == \"read\"'\n" + one(""),
     [[["Dune"], ["The Hobbit"], ["Old Book"]]]),
    ("filters:\n  or:\n    - file.hasTag(\"game/video\")\n    - file.inFolder(\"books/archive\")\n" + one(""),
     [[["Old Book"], ["Tetris"]]]),
    ("filters:\n  and:\n    - file.hasTag(\"book\")\n    - not:\n        - file.hasTag(\"book/scifi\")\n"
     "        - file.inFolder(\"books/archive\")\n" + one(""), [[["Emma"], ["The Hobbit"]]]),
    ("filters:\n  or:\n    - file.hasTag(\"game/video\")\n    - and:\n        - file.hasTag(\"book\")\n"
     "        - file.hasLink(\"Tolkien\")\n" + one(""), [[["The Hobbit"], ["Tetris"]]]),
    ("filters: 'rating > 8'\n" + one(""), [[["The Hobbit"], ["Chess"], ["Go"]]]),
    ("filters: 'rating >= 9 && players == 2'\n" + one(""), [[["Chess"], ["Go"]]]),
    ("filters: 'players == 1 || genre == \"fantasy\"'\n" + one(""), [[["The Hobbit"], ["Tetris"]]]),
    ("filters: '!file.hasTag(\"book\") && rating'\n" + one(""), [[["Chess"], ["Go"], ["Tetris"]]]),
    ("filters: 'genre.contains(\"sci\")'\n" + one(""), [[["Dune"], ["Neuromancer"]]]),
    ("filters: 'file.name.startsWith(\"T\")'\n" + one(""), [[["The Hobbit"], ["Tetris"], ["Tolkien"]]]),
    ("filters: 'file.name.lower().endsWith(\"s\")'\n" + one(""), [[["Chess"], ["Tetris"]]]),
    ("filters: 'file.tags.contains(\"#game/board\")'\n" + one(""), [[["Chess"], ["Go"]]]),
    ("filters: 'file.mtime > now() - \"1 week\"'\n" + one(""), []),  # replaced below: see test_dates
    ("filters: 'file.ctime < date(\"2024-02-01\")'\nviews:\n  - type: table\n    order: [file.name]\n"
     "    filters: file.inFolder(\"games\")\n", [[["Chess"], ["Go"]]]),
    ("filters: 'file.hasProperty(\"cost\")'\n" + one(""), [[["Garden"], ["Kitchen"]]]),
    ("filters: 'author.isEmpty()'\nviews:\n  - type: table\n    order: [file.name]\n    filters: file.hasTag(\"book\")\n",
     [[["Neuromancer"], ["Old Book"]]]),
    # formulas
    ('filters: file.hasTag("game")\nformulas:\n  double: "rating * 2"\nviews:\n  - type: table\n'
     "    order: [file.name, formula.double]\n", [[["Chess", 20], ["Go", 18], ["Tetris", 14]]]),
    ('filters: file.hasTag("project")\nformulas:\n  formatted: \'if(cost, cost.toFixed(2) + " dollars")\'\n'
     "views:\n  - type: table\n    order: [file.name, formula.formatted]\n",
     [[["Garden", "120.00 dollars"], ["Kitchen", "2500.00 dollars"]]]),
    ('filters: file.hasTag("game")\nformulas:\n  ratio: "rating / players"\n  big: "formula.ratio > 5"\n'
     '  shown: "(rating / players).toFixed(1)"\n'
     "views:\n  - type: table\n    order: [file.name, formula.big, formula.shown]\n",
     [[["Chess", False, "5.0"], ["Go", False, "4.5"], ["Tetris", True, "7.0"]]]),
    ('filters: file.hasTag("game")\nformulas:\n  r: "rating"\nviews:\n  - type: table\n    order: [file.name]\n'
     "    filters: 'formula.r < 10'\n", [[["Go"], ["Tetris"]]]),
    ('filters: file.hasTag("book/fantasy")\nformulas:\n  year: \'published.format("YYYY")\'\n'
     "  month: 'published.format(\"MMMM D, YYYY\")'\nviews:\n  - type: table\n"
     "    order: [formula.year, formula.month]\n", [[["1937", "September 21, 1937"]]]),
    ('filters: file.hasTag("book/fantasy")\nformulas:\n  n: "file.name.length"\n  up: "file.name.upper()"\n'
     "views:\n  - type: table\n    order: [formula.n, formula.up]\n", [[[10, "THE HOBBIT"]]]),
    # views: order, sort, limit, groupBy, several views
    ('filters: file.hasTag("book")\nviews:\n  - type: table\n    order: [file.name, rating]\n'
     "    sort:\n      - property: rating\n        direction: DESC\n    limit: 2\n",
     [[["The Hobbit", 9], ["Dune", 8]]]),
    ('filters: file.hasTag("book")\nviews:\n  - type: table\n    order: [file.name, note.genre]\n'
     "    sort:\n      - property: genre\n        direction: ASC\n      - property: rating\n        direction: DESC\n",
     [[["Emma", "classic"], ["Old Book", "classic"], ["The Hobbit", "fantasy"], ["Dune", "scifi"],
       ["Neuromancer", "scifi"]]]),
    ('filters: file.hasTag("book")\nviews:\n  - type: table\n    order: [file.name]\n'
     "    groupBy:\n      property: note.genre\n      direction: DESC\n",
     [[("scifi", [["Dune"], ["Neuromancer"]]), ("fantasy", [["The Hobbit"]]), ("classic", [["Emma"], ["Old Book"]])]]),
    ('filters: file.hasTag("game")\nviews:\n  - type: table\n    order: [file.name]\n    limit: 1\n'
     "  - type: cards\n    name: Board\n    order: [file.name, players]\n    filters: file.hasTag(\"game/board\")\n",
     [[["Chess"]], [["Chess", 2], ["Go", 2]]]),
    ('filters: file.hasTag("game")\nviews:\n  - type: list\n    order: [file.name, file.folder, file.ext]\n'
     "    limit: 1\n", [[["Chess", "games", "md"]]]),
]
CASES = [c for c in CASES if c[1] != []]


@pytest.mark.parametrize(("yaml_text", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_base(yaml_text: str, expected: Any, pages) -> None:
    assert rows(yaml_text, pages) == expected


@pytest.mark.parametrize(("expr", "expected"), [
    ("file.mtime > now() - \"1 week\"", []),
    ("file.mtime > now() - \"3 weeks\"", ["Dune", "2024-05-01", "2024-05-02", "2024-05-20", "Tetris"]),
    ("file.ctime > today() - \"30d\"", ["2024-05-01", "2024-05-02", "2024-05-20", "Tetris"]),
    ("file.mtime.date() == date(\"2024-05-20\")", ["Dune", "2024-05-01", "2024-05-02", "2024-05-20", "Tetris"]),
])
def test_dates(expr: str, expected: list[str], pages) -> None:
    text = f"filters: '{expr}'\n" + one("")
    assert [r[0] for r in rows(text, pages)[0]] == expected


def test_render_table_cards_names(pages) -> None:
    html = render_base('filters: file.hasTag("game")\nproperties:\n  players:\n    displayName: Players\n'
                       "views:\n  - type: table\n    name: All games\n    order: [file.name, players]\n"
                       "  - type: cards\n    order: [file.name, players]\n", pages)
    s = BeautifulSoup(html, "html.parser")
    table, cards = s.select("div.kb-query")
    assert table["data-rows"] == "3" and table["data-view"] == "All games"
    assert [th.get_text() for th in table.select("th")] == ["file.name", "Players"]
    assert [a["href"] for a in table.select("a")] == ["/games/chess/", "/games/go/", "/games/tetris/"]
    assert [c.h4.get_text() for c in cards.select("article.kb-base-card")] == ["Chess", "Go", "Tetris"]
    assert cards.select_one("dt").get_text() == "Players" and cards.select_one("dd").get_text() == "2"


@pytest.mark.parametrize(("yaml_text", "fragment"), [
    ("filters: [", "not valid YAML"),
    ("- a\n- b", "YAML mapping"),
    ("filtres: x", "unknown base key"),
    ("filters: 'rating >'", "ends too early"),
    ("filters:\n  xor: []", "and/or/not"),
    ("views:\n  - type: map", "view type 'map' is not supported"),
    ("views:\n  - type: table\n    limit: many", "limit must be a whole number"),
    ("formulas:\n  a: 'formula.a + 1'\nviews:\n  - type: table\n    order: [formula.a]", "refers to itself"),
    ("filters: 'rating.nosuch()'", "has no method nosuch()"),
])
def test_errors(yaml_text: str, fragment: str, pages) -> None:
    with pytest.raises(QueryError, match=None) as info:
        run_base(yaml_text, pages, now=NOW)
    assert fragment in str(info.value)
    html = render_base(yaml_text, pages, now=NOW)
    assert 'class="kb-query-error"' in html and fragment in html.replace("&#x27;", "'")


@pytest.mark.parametrize("viewer", ["public", "someone"])
def test_bases_never_show_hidden_entries(viewer: str, pages, owner_pages) -> None:
    for ps in (pages, owner_pages):
        html = render_base('filters: file.hasTag("canary")\nviews:\n  - type: table\n    order: [file.name]\n'
                           "  - type: cards\n", ps, viewer=viewer)
        assert "Secret" not in html and "Hidden Draft" not in html and 'data-rows="0"' in html
