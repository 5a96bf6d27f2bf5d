"""Full-text search behaviour: ranking fields, snippets, filters, pagination, hidden entries."""
from __future__ import annotations

import pytest
from api_fakes import FakeStore, record

from kbsync.view.readmodel import ReadModel

RECORDS = [
    record("k8s", "Kubernetes Deployment", type="howto", tags=["ops", "cloud"],
           text="Roll out with kubectl apply. <script>alert(1)</script> then watch the pods restart."),
    record("k8s-notes", "Cluster notes", tags=["ops"], headings=["Kubernetes upgrades"],
           text="We upgraded the control plane last week."),
    record("cafe", "Café Culture", text="A visit to the café in Zürich, then tea."),
    record("zh", "知识库", text="这是一个知识库的例子。"),
    record("aliased", "Container Orchestration", aliases=["K8s handbook"], text="Scheduling and pods."),
    record("secret", "Secret Kubernetes Plan", visibility="private", text="kubernetes CANARY-S2"),
    record("draft", "Draft Kubernetes Notes", visibility="draft", text="kubernetes CANARY-D2"),
] + [record(f"filler-{i}", f"Filler {i}", tags=["bulk"], text=f"pods number {i} filler text") for i in range(30)]


@pytest.fixture(scope="module")
def rm() -> ReadModel:
    return ReadModel.from_store(FakeStore(RECORDS))


def slugs(res: dict) -> list[str]:
    return [h["slug"] for h in res["hits"]]


def test_title_outranks_heading_outranks_nothing(rm: ReadModel) -> None:
    assert slugs(rm.search("kubernetes"))[:2] == ["k8s", "k8s-notes"]


def test_snippet_highlights_and_escapes(rm: ReadModel) -> None:
    hit = rm.search("kubectl pods")["hits"][0]
    assert hit["slug"] == "k8s"
    assert "<mark>kubectl</mark>" in hit["snippet"] and "<mark>pods</mark>" in hit["snippet"]
    assert "&lt;script&gt;" in hit["snippet"] and "<script>" not in hit["snippet"]


@pytest.mark.parametrize(("q", "slug"), [
    ("cafe", "cafe"), ("ZURICH", "cafe"), ("知识", "zh"), ("handbook", "aliased"), ("cloud", "k8s"),
])
def test_folding_cjk_aliases_tags(rm: ReadModel, q: str, slug: str) -> None:
    assert slugs(rm.search(q))[0] == slug


def test_cjk_snippet_has_no_inserted_spaces(rm: ReadModel) -> None:
    snippet = rm.search("例子")["hits"][0]["snippet"]
    assert "<mark>例</mark><mark>子</mark>" in snippet and "知识库" in snippet


def test_filters(rm: ReadModel) -> None:
    assert slugs(rm.search("kubernetes", type="howto")) == ["k8s"]
    assert slugs(rm.search("kubernetes", tag="ops")) == ["k8s", "k8s-notes"]
    assert rm.search("kubernetes", tag="nope")["total"] == 0


def test_pagination(rm: ReadModel) -> None:
    first, second = rm.search("pods", limit=10), rm.search("pods", limit=10, offset=10)
    assert first["total"] == second["total"] == 32
    assert (first["offset"], first["limit"], second["offset"]) == (0, 10, 10)
    assert not set(slugs(first)) & set(slugs(second))
    assert rm.search("pods", limit=10, offset=40)["hits"] == []


def test_all_words_first_then_any_word(rm: ReadModel) -> None:
    assert slugs(rm.search("kubectl zürich")) and rm.search("kubectl zürich")["total"] == 2


def test_hidden_entries(rm: ReadModel) -> None:
    public = slugs(rm.search("kubernetes", limit=50))
    assert "secret" not in public and "draft" not in public
    private = slugs(rm.search("kubernetes", limit=50, viewer="token"))
    assert "secret" in private and "draft" not in private
    assert rm.search("CANARY")["total"] == 0


@pytest.mark.parametrize("q", ['{"$gt": ""}', "title:secret", "kubernetes AND NOT", '"unclosed', "*", "a" * 200, ""])
def test_query_syntax_is_plain_text(rm: ReadModel, q: str) -> None:
    res = rm.search(q)
    assert "secret" not in slugs(res)
    assert res["total"] >= len(res["hits"])


def test_without_snippets(rm: ReadModel) -> None:
    assert all(h["snippet"] == "" for h in rm.search("pods", snippets=False)["hits"])


@pytest.mark.parametrize(("q", "kw", "types", "tags"), [
    ("kubernetes", {}, {"howto": 1, "note": 1}, {"ops": 2, "cloud": 1}),
    ("kubernetes", {"type": "howto"}, {"howto": 1, "note": 1}, {"ops": 1, "cloud": 1}),
    ("pods", {"tag": "bulk"}, {"note": 30}, {"bulk": 30, "ops": 1, "cloud": 1}),
])
def test_facets_count_visible_hits(rm: ReadModel, q: str, kw: dict, types: dict, tags: dict) -> None:
    res = rm.search(q, **kw)
    assert {f["value"]: f["count"] for f in res["facets"]["type"]} == types
    assert {f["value"]: f["count"] for f in res["facets"]["tag"]} == tags


@pytest.mark.parametrize(("q", "viewer", "first", "fuzzy"), [
    ("kuberentes", "public", "k8s", True),  # a typo: corrected from the index's own words
    ("kubectl", "public", "k8s", False),
    ("canery", "public", None, False),  # a private entry's word is no correction for the public
])
def test_typos_fall_back_to_the_vocabulary(rm: ReadModel, q: str, viewer: str, first: str | None, fuzzy: bool) -> None:
    res = rm.search(q, viewer=viewer)
    assert (slugs(res)[:1] or [None])[0] == first and res["fuzzy"] is fuzzy
