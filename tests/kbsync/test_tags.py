"""One Tag value: casefolded equality, `a/b` nested under `a`, displayed as first spelled; every door uses it."""
from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kbsync.settings import Settings
from kbsync.store import open_store
from kbsync.store.base import Batch
from kbsync.tags import Tag, group, key, matches
from kbsync.view.readmodel import ReadModel
from site_plugins.index import SiteIndex
from site_plugins.pages import TagPages


@pytest.mark.parametrize("a, b, equal", [
    ("Ideas", "ideas", True), ("#ideas", "IDEAS", True), ("Straße", "STRASSE", True), ("a/b", "A/B/", True),
    ("a/b", "a", False), ("ideas", "idea", False), ("Café", "cafe", False),
])
def test_equality(a: str, b: str, equal: bool) -> None:
    assert (Tag(a) == Tag(b)) is equal and (hash(Tag(a)) == hash(Tag(b))) is equal


@pytest.mark.parametrize("inner, outer, nested", [
    ("a/b", "a", True), ("A/B/c", "a/b", True), ("a", "a", True), ("ab", "a", False), ("a", "a/b", False),
    ("Fitness/Legs", "FITNESS", True), ("b/a", "a", False),
])
def test_nesting(inner: str, outer: str, nested: bool) -> None:
    assert (Tag(inner) in Tag(outer)) is nested
    assert matches([inner], outer) is nested


@pytest.mark.parametrize("tagged, expect", [
    ([("x", ["Ideas"]), ("y", ["ideas"])], {"Ideas": ["x", "y"]}),
    ([("x", ["ideas"]), ("y", ["Ideas"])], {"ideas": ["x", "y"]}),
    ([("x", ["Fit/Legs"]), ("y", ["fit"]), ("z", ["FIT/legs/Quads"])],
     {"Fit": ["x", "y", "z"], "Fit/Legs": ["x", "z"], "Fit/Legs/Quads": ["z"]}),
    ([("x", ["a", "A"])], {"a": ["x"]}),
    ([("x", ["#b", "a"])], {"a": ["x"], "b": ["x"]}),
])
def test_group_one_entry_list_per_folded_tag(tagged: list[Any], expect: dict[str, list[str]]) -> None:
    assert group(tagged) == expect


def test_key_and_display() -> None:
    assert key("#Ideas/") == "ideas" and str(Tag("#Ideas//Later")) == "Ideas/Later"
    assert Tag("A/B/c").lineage() == ["a", "a/b", "a/b/c"]


# -- the doors: API filters and counts, search filters, the site's tag pages --------------------------------

RECS = [("a", ["Ideas"]), ("b", ["ideas", "Work/Deep"]), ("c", ["IDEAS/later"]), ("d", ["work"])]


@pytest.fixture(scope="module")
def store() -> Any:
    st = open_store("sqlite:///:memory:")
    st.apply(Batch(upserts=[{"slug": s, "path": f"{s}.md", "title": s.upper(), "type": "note", "tags": t,
                             "aliases": [], "visibility": "public", "url": f"/{s}/", "text": "zebra"} for s, t in RECS]))
    return st


def test_read_model_and_api_fold_and_nest(store: Any) -> None:
    model = ReadModel.from_store(store)
    assert model.tags() == [{"tag": "Ideas", "count": 3}, {"tag": "Work", "count": 2},  # b spells it first
                            {"tag": "Ideas/later", "count": 1}, {"tag": "Work/Deep", "count": 1}]
    assert [i["slug"] for i in model.entries(tag="IDEAS")["items"]] == ["a", "b", "c"]
    assert sorted(h["slug"] for h in model.search("zebra", tag="ideas")["hits"]) == ["a", "b", "c"]
    assert sorted(h["slug"] for h in model.search("zebra", tag="Work")["hits"]) == ["b", "d"]
    with TestClient(create_app(Settings(), store)) as c:
        assert c.app.state.holder.wait_ready()  # type: ignore[attr-defined]
        assert c.get("/api/tags").json() == model.tags()
        assert [i["slug"] for i in c.get("/api/entries", params={"tag": "ideas"}).json()["items"]] == ["a", "b", "c"]


def test_site_writes_one_page_per_folded_tag(store: Any) -> None:
    pages = TagPages(SiteIndex.from_records(store.records())).pages()
    urls = [p.url for p in pages]
    assert len(urls) == len(set(urls))
    assert sorted(urls) == ["tags/", "tags/ideas/", "tags/ideas/later/", "tags/work/", "tags/work/deep/"]
