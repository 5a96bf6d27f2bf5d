"""Typeahead behaviour a user notices: prefixes, typos, accents, CJK, what matched, ranking, hidden entries."""
from __future__ import annotations

import pytest
from api_fakes import FakeStore, record

from kbsync.store.base import Edge
from kbsync.view.readmodel import ReadModel

RECORDS = [
    record("apple", "Apple"),
    record("apple-pie", "Apple Pie", aliases=["Tarte aux pommes"], tags=["dessert", "baking"]),
    record("applesauce", "Applesauce"),
    record("application-server", "Application Server"),
    record("green-apple-varieties", "Green Apple Varieties"),
    record("cafe-culture", "Café Culture"),
    record("zh/guide", "知识库 Guide"),
    record("kubernetes-deployment", "Kubernetes Deployment", type="howto"),
    record("bank-holidays", "Bank Holidays"),
    record("postgresql-administration", "Postgresql Administration"),
    record("cat-food", "Cat Food"),
    record("band-practice", "Band Practice"),
    record("introduced-click", "Introduced Click"),
    record("introduces-widgets", "Introduces Widgets"),
    record("resets-counter", "Resets Counter"),
    record("better-sets", "Better Sets"),
    record("secret-apple-plan", "Secret Apple Plan", visibility="private", text="CANARY-S1"),
    record("draft-apple-notes", "Draft Apple Notes", visibility="draft", text="CANARY-D1"),
]
# Application Server is the most linked entry; links from the private entry do not count.
EDGES = [Edge(s, "application-server", "link", "Application Server", "application server")
         for s in ("apple", "apple-pie", "cafe-culture", "bank-holidays")]
EDGES += [Edge("secret-apple-plan", "applesauce", "link", "Applesauce", "applesauce")]
# the look-alikes are the popular ones, so only the typo ranking can put the intended entry first
EDGES += [Edge(s, d, "link", d, d) for s in ("apple", "cat-food") for d in ("introduced-click", "better-sets")]


@pytest.fixture(scope="module")
def rm() -> ReadModel:
    return ReadModel.from_store(FakeStore(RECORDS, EDGES))


def titles(rm: ReadModel, q: str, limit: int = 10, private: bool = False) -> list[str]:
    return [h["title"] for h in rm.suggest(q, limit, viewer="token" if private else "public")["hits"]]


@pytest.mark.parametrize(("q", "first"), [
    ("apple", "Apple"),  # exact title first
    ("appl", "Application Server"),  # start-of-title ties: the often-linked entry first
    ("apple p", "Apple Pie"),  # typing the second word
    ("APPLE PIE", "Apple Pie"),  # case
    ("cafe", "Café Culture"),  # accents
    ("CAFÉ cul", "Café Culture"),
    ("知识", "知识库 Guide"),  # CJK by character
    ("guide", "知识库 Guide"),  # a word inside the title
    ("kubernetse", "Kubernetes Deployment"),  # transposition, ≥ 9 chars
    ("kubernetes deploymnet", "Kubernetes Deployment"),  # typo in a later word
    ("appel", "Apple"),  # one typo at 5 chars
    ("postgrseql", "Postgresql Administration"),  # ≥ 9 chars
    ("varieties", "Green Apple Varieties"),
])
def test_first_hit(rm: ReadModel, q: str, first: str) -> None:
    assert titles(rm, q)[0] == first


@pytest.mark.parametrize(("q", "first", "second"), [
    ("introducs", "Introduces Widgets", "Introduced Click"),  # a whole word one edit away beats a word start
    ("rsets", "Resets Counter", "Better Sets"),  # a typo on the first letter counts double, as in Meilisearch
])
def test_fewest_typos_first(rm: ReadModel, q: str, first: str, second: str) -> None:
    got = titles(rm, q)
    assert got[0] == first and second in got


def test_start_of_title_before_word_inside_title(rm: ReadModel) -> None:
    got = titles(rm, "apple")
    assert got.index("Apple Pie") < got.index("Green Apple Varieties")
    assert got.index("Applesauce") < got.index("Green Apple Varieties")


def test_three_letter_words_never_get_a_typo(rm: ReadModel) -> None:
    assert "Cat Food" not in titles(rm, "cta")
    assert titles(rm, "cat")[0] == "Cat Food"


def test_four_letter_words_get_a_typo_only_when_nothing_matches_strictly(rm: ReadModel) -> None:
    assert titles(rm, "bakn holidays") == ["Bank Holidays"]  # relaxed fallback: nothing else matched
    assert titles(rm, "bank") == ["Bank Holidays"]  # "Band Practice" is one typo away, but bank matched
    assert titles(rm, "band") == ["Band Practice"]


def test_what_matched_is_reported(rm: ReadModel) -> None:
    alias = rm.suggest("tarte", 5)["hits"][0]
    assert (alias["title"], alias["matched"], alias["alias"]) == ("Apple Pie", "alias", "Tarte aux pommes")
    tag = rm.suggest("dessert", 5)["hits"][0]
    assert (tag["title"], tag["matched"], tag["tag"]) == ("Apple Pie", "tag", "dessert")
    hit = rm.suggest("apple pie", 5)["hits"][0]
    assert hit["matched"] == "title" and "alias" not in hit
    assert set(hit) >= {"slug", "title", "url", "type", "score"}
    assert hit["url"] == "/apple-pie/"


def test_private_only_with_token_and_drafts_never(rm: ReadModel) -> None:
    assert "Secret Apple Plan" not in titles(rm, "secret")
    assert "Secret Apple Plan" not in titles(rm, "apple", 100)
    assert titles(rm, "secret", private=True) == ["Secret Apple Plan"]
    for private in (False, True):
        assert "Draft Apple Notes" not in titles(rm, "draft apple", 100, private)
        assert "Draft Apple Notes" not in titles(rm, "apple", 100, private)


def test_private_links_do_not_make_an_entry_popular(rm: ReadModel) -> None:
    assert rm.inbound[rm.by_slug["applesauce"]] == 0
    assert rm.inbound[rm.by_slug["application-server"]] == 4


@pytest.mark.parametrize("q", ["", "   ", "!!!", '{"$gt": ""}', "../../", "a" * 200, "%00", "<script>"])
def test_odd_input_is_plain_text(rm: ReadModel, q: str) -> None:
    res = rm.suggest(q, 10)
    assert res["query"] == q
    assert all(h["title"] != "Secret Apple Plan" for h in res["hits"])


def test_limit(rm: ReadModel) -> None:
    assert len(titles(rm, "a", 3)) == 3
    assert len(set(titles(rm, "apple", 100))) == len(titles(rm, "apple", 100))  # one hit per entry
