"""Rendering: the `.kb-query` element per query type, escaping, URLs, errors, budgets, and visibility."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from kbsync.query import PageSet, render_html
from kbsync.query.parser import UNSUPPORTED

from .conftest import NOW


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_table(pages) -> None:
    html = render_html('TABLE rating AS "Score", author FROM #book SORT rating DESC LIMIT 2', pages, now=NOW)
    div = soup(html).select_one("div.kb-query.kb-query-table")
    assert div["data-rows"] == "2"
    assert [th.get_text(" ", strip=True) for th in div.select("th")] == ["File (2)", "Score", "author"]
    cells = [[td.get_text(strip=True) for td in tr.select("td")] for tr in div.select("tbody tr")]
    assert cells == [["The Hobbit", "9", "Tolkien"], ["Dune", "8", "Herbert"]]
    assert [a["href"] for a in div.select("tbody tr")[0].select("a")] == ["/books/the-hobbit/", "/people/tolkien/"]


def test_url_function_is_a_parameter(pages) -> None:
    html = render_html("LIST FROM #game/video", pages, url=lambda slug: f"../../{slug}/")
    assert soup(html).select_one("a")["href"] == "../../games/tetris/"


@pytest.mark.parametrize(("query", "text"), [
    ("TABLE WITHOUT ID published FROM #book/fantasy", "September 21, 1937"),
    ("TABLE WITHOUT ID date(2021-11-11T14:30) FROM #book/fantasy", "2:30 PM - November 11, 2021"),
    ("TABLE WITHOUT ID nosuch FROM #book/fantasy", "-"),
    ("TABLE WITHOUT ID true FROM #book/fantasy", "true"),
    ("TABLE WITHOUT ID dur(1 day) + dur(2 hours) FROM #book/fantasy", "1 day, 2 hours"),
    ("TABLE WITHOUT ID 2.50 FROM #book/fantasy", "2.5"),
])
def test_values_formatted_as_dataview(query: str, text: str, pages) -> None:
    assert soup(render_html(query, pages, now=NOW)).select_one("td").get_text(strip=True) == text


def test_list_items_and_lists_in_cells(pages) -> None:
    div = soup(render_html("LIST rating FROM #game", pages)).select_one("div.kb-query-list")
    assert [li.get_text() for li in div.select("li")] == ["Chess: 10", "Go: 9", "Tetris: 7"]
    cell = soup(render_html("TABLE WITHOUT ID file.etags FROM #game/board LIMIT 1", pages)).select_one("td")
    assert [li.get_text() for li in cell.select("li")] == ["#game", "#game/board"]


def test_grouped_list_nests_rows(pages) -> None:
    div = soup(render_html("LIST FROM #book GROUP BY genre", pages)).select_one("div.kb-query")
    assert div["data-rows"] == "3"
    assert [a.get_text() for a in div.select("ul ul a")] == ["Emma", "Old Book", "The Hobbit", "Dune", "Neuromancer"]


def test_tasks_show_checkbox_state(pages) -> None:
    div = soup(render_html('TASK FROM "projects"', pages)).select_one("div.kb-query-task")
    assert div["data-rows"] == "6"
    items = div.select("li.task-list-item")
    assert [(li["data-task"], li.select_one("input").has_attr("checked")) for li in items] == [
        (" ", False), ("x", True), ("/", True), ("-", True), ("x", True), ("x", True)]
    assert [h.get_text() for h in div.select("h4")] == ["Garden", "Kitchen"]


def test_calendar_month_grid(pages) -> None:
    div = soup(render_html("CALENDAR file.day FROM #daily", pages)).select_one("div.kb-query-calendar")
    assert div["data-rows"] == "3"
    table = div.select_one("table.kb-query-calendar")
    assert table.caption.get_text() == "May 2024"
    days = {td.select_one(".kb-query-day").get_text(): [a.get_text() for a in td.select("a")]
            for td in table.select("td") if td.select_one(".kb-query-day")}
    assert days["1"] == ["2024-05-01"] and days["20"] == ["2024-05-20"] and days["3"] == []
    assert len(days) == 31


def test_empty_result(pages) -> None:
    div = soup(render_html("LIST FROM #nosuchtag", pages)).select_one("div.kb-query")
    assert div["data-rows"] == "0" and "No results" in div.get_text()


def test_metadata_is_escaped_as_text() -> None:
    records = [{"slug": "x", "path": "x.md", "title": "<b>x</b>", "visibility": "public", "tags": ["t"],
                "fields": {"note": "<script>alert(1)</script>", "Weird \"key\"": "a&b"}, "links": []}]
    html = render_html('TABLE note, title, "<i>" + note AS "<h1>" FROM #t', PageSet(records))
    assert "<script>" not in html and "<i>" not in html and "<h1>" not in html and "<b>" not in html
    assert soup(html).select("td")[1].get_text() == "<script>alert(1)</script>"


@pytest.mark.parametrize("query", [
    "SELECT * FROM books", "LIST WHERE", "TABLE rating FROM #book SORT", "LIST WHERE nosuch()",
    'LIST FROM csv("x.csv")', "LIST FROM incoming([[Dune]])", "LIST WHERE lower(3)",
])
def test_invalid_or_unsupported_query_becomes_error_element(query: str, pages) -> None:
    html = render_html(query, pages)
    div = soup(html).select_one("div.kb-query-error")
    assert div is not None and "Query error" in div.get_text() and len(div.get_text()) > 20
    assert "kb-query\"" not in html and "<pre" not in html and "<code" not in html


def test_every_listed_unsupported_construct_is_named() -> None:
    """The README's unsupported list and the parser's agree (the README lists each message)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Queries", 1)[1].split("\n## ", 1)[0]
    for _, message in UNSUPPORTED:
        assert message.split(" is not supported")[0].split(" (")[0].split(" sources")[0] in section


def test_time_budget(pages) -> None:
    html = render_html("LIST FROM #book", pages, time_limit=-1)
    assert "ran longer than" in soup(html).select_one("div.kb-query-error").get_text()


def test_row_budget(pages) -> None:
    html = render_html("TABLE x FROM #book FLATTEN [1, 2, 3] AS x", pages, max_rows=10)
    assert "row budget" in soup(html).select_one("div.kb-query-error").get_text()
    assert soup(render_html("TABLE x FROM #book FLATTEN [1, 2] AS x", pages, max_rows=10)).select_one(
        "div.kb-query")["data-rows"] == "10"


CANARY_QUERIES = [
    "LIST", "TABLE rating, status FROM #book", "LIST FROM #canary", "TASK", "LIST FROM [[Dune]]",
    "TABLE file.inlinks FROM #book", "LIST FROM outgoing([[Hidden Draft]])", "LIST FROM outgoing([[Secret]])",
    "TABLE rows.file.name FROM #book GROUP BY rating", "CALENDAR file.ctime", "LIST WHERE rating = 10",
    "TABLE WITHOUT ID [[Secret]].rating AS a, [[Hidden Draft]].genre AS b", "LIST WHERE contains(file.outlinks, [[Dune]])",
]


@pytest.mark.parametrize("query", CANARY_QUERIES)
def test_drafts_and_private_entries_never_appear(query: str, pages, records) -> None:
    for html in (render_html(query, pages, now=NOW), render_html(query, records, now=NOW),
                 render_html(query, records, viewer="someone-unknown", now=NOW)):
        assert not re.search(r"canary|hidden-draft|hidden draft|secret", html, re.I), html


def test_viewer_filters_even_a_wider_pageset(owner_pages) -> None:
    public = render_html("LIST FROM #canary", owner_pages)
    assert "Secret" not in public and "Hidden Draft" not in public
    token = render_html("LIST FROM #canary", owner_pages, viewer="token")
    assert "Secret" in token and "Hidden Draft" not in token
    owner = render_html("LIST FROM #canary", owner_pages, viewer="owner")
    assert "Secret" in owner and "Hidden Draft" in owner


def test_subtasks_nest_under_their_parent() -> None:
    from kbsync.derive import derive
    from kbsync.parse import parse_bytes

    body = "- [ ] Move house\n    - [x] Pack books\n    - [ ] Pack kitchen\n        - [x] Plates\n- [x] Sell car\n"
    tasks = derive(parse_bytes("plan.md", body.encode()))["tasks"]
    records = [{"slug": "plan", "path": "plan.md", "visibility": "public", "tags": [], "links": [], "tasks": tasks}]
    s = soup(render_html("TASK", PageSet(records)))
    top = s.select("div.kb-query-task > ul > li")
    assert [li.contents[1].strip() for li in top] == ["Move house", "Sell car"]
    assert [li.contents[1].strip() for li in top[0].select(":scope > ul > li")] == ["Pack books", "Pack kitchen"]
    assert top[0].select_one(":scope > ul > li > ul > li").contents[1].strip() == "Plates"
    assert s.select_one("div.kb-query")["data-rows"] == "5"
    only = soup(render_html("TASK WHERE text = \"Plates\" OR text = \"Sell car\"", PageSet(records)))
    assert [li.contents[1].strip() for li in only.select("div.kb-query-task > ul > li")] == ["Plates", "Sell car"]
    done = soup(render_html("TASK WHERE fullyCompleted", PageSet(records)))
    assert [li.contents[1].strip() for li in done.select("div.kb-query-task > ul > li")] == [
        "Pack books", "Plates", "Sell car"]
