"""Full text that forgives: inflected forms per entry language, typo fallback, facets, clean snippets."""
from __future__ import annotations

from typing import Any

import pytest

from kbsync.search.fulltext import FullText


def rec(title: str, text: str = "", *, type: str = "note", tags: list[str] | None = None, lang: str | None = None,
        aliases: list[str] | None = None) -> dict[str, Any]:
    return {"title": title, "text": text, "type": type, "tags": tags or [], "aliases": aliases or [],
            "headings": [], "fields": {"lang": lang} if lang else {}}


ENTRIES = [  # (record, public)
    (rec("Squat", "A lower body lift.", type="exercise", tags=["Strength/Legs"]), True),
    (rec("Squats for beginners", "Start light.", type="guide", tags=["strength"]), True),
    (rec("Run", "Easy pace, long distance.", type="exercise", tags=["cardio"]), True),
    (rec("Laufen", "Wir liefen gestern im Wald. Die Läufer liefen schnell.", lang="de"), True),
    (rec("Courses", "Les coureurs courent vite.", lang="fr"), True),
    (rec("知识库", "这是一个知识库的例子。", lang="zh"), True),
    (rec("Table note", "| Exercise | Sets |\n|:---|---:|\n| Deadlift | 5 |\nThen $E = mc$ math [^1] and #tagged words. ^block-1"), True),
    (rec("Hidden squirrel", "A zanzibarian secret.", type="secret", tags=["hush"]), False),
] + [(rec(f"Filler {i}", f"pods number {i}", type="filler", tags=["bulk"]), True) for i in range(6)]


@pytest.fixture(scope="module")
def ft() -> FullText:
    index = FullText()
    for n, (r, public) in enumerate(ENTRIES):
        index.add(n, r, public)
    index.finish()
    return index


def titles(ft: FullText, q: str, **kw: Any) -> list[str]:
    found = ft.find(q, 20, 0, kw.get("type"), kw.get("tag"), kw.get("include_private", False))
    return [ENTRIES[n][0]["title"] for n, _, _ in found["hits"]]


@pytest.mark.parametrize(("q", "first", "also"), [
    ("squats", "Squats for beginners", "Squat"),  # exact form first, the inflected one after
    ("squat", "Squat", "Squats for beginners"),
    ("running", "Run", None),  # English is the default stemmer
    ("runs", "Run", None),
    ("laufen", "Laufen", None),
    ("liefen", "Laufen", None),  # German entry: German stems ("liefen" is in its text)
    ("läufer", "Laufen", None),
    ("coureur", "Courses", None),  # French entry: "coureurs" stems to "coureur"
    ("例子", "知识库", None),  # no stemmer for Chinese: characters still match
], ids=lambda x: str(x))
def test_inflected_forms_match_exact_first(ft: FullText, q: str, first: str, also: str | None) -> None:
    found = titles(ft, q)
    assert found[0] == first
    if also:
        assert also in found[1:]


@pytest.mark.parametrize(("q", "expect", "fuzzy"), [
    ("sqaut", "Squat", True),  # a transposition
    ("squatt", "Squat", True),
    ("deadlfit", "Table note", True),
    ("squat", "Squat", False),  # enough exact hits: no correction
])
def test_typos_fall_back_to_fuzzy_terms(ft: FullText, q: str, expect: str, fuzzy: bool) -> None:
    found = ft.find(q, 10, 0, None, None, False)
    assert [ENTRIES[n][0]["title"] for n, _, _ in found["hits"]][0] == expect
    assert found["fuzzy"] is fuzzy


@pytest.mark.parametrize(("q", "private", "found"), [
    ("zanzibarian", False, []),
    ("zanzibarien", False, []),  # a hidden entry's word never becomes a correction
    ("zanzibarien", True, ["Hidden squirrel"]),
])
def test_typo_vocabulary_is_per_viewer(ft: FullText, q: str, private: bool, found: list[str]) -> None:
    assert titles(ft, q, include_private=private) == found


def test_short_words_are_not_corrected(ft: FullText) -> None:
    assert titles(ft, "rn") == []  # below five letters no typo is allowed


@pytest.mark.parametrize(("kw", "types", "tags"), [
    ({}, {"exercise": 1, "guide": 1}, {"Strength": 2, "Strength/Legs": 1}),
    ({"type": "exercise"}, {"exercise": 1, "guide": 1}, {"Strength": 1, "Strength/Legs": 1}),
    ({"tag": "strength/legs"}, {"exercise": 1}, {"Strength": 2, "Strength/Legs": 1}),
])
def test_facets_count_hits_per_type_and_tag(ft: FullText, kw: dict[str, str], types: dict[str, int],
                                            tags: dict[str, int]) -> None:
    found = ft.find("squat", 10, 0, kw.get("type"), kw.get("tag"), False)
    assert dict(found["facets"]["type"]) == types
    assert dict(found["facets"]["tag"]) == tags


def test_facets_leave_out_hidden_entries(ft: FullText) -> None:
    found = ft.find("secret squirrel", 10, 0, None, None, False)
    assert found["total"] == 0 and found["facets"] == {"type": [], "tag": []}
    assert dict(ft.find("squirrel", 10, 0, None, None, True)["facets"]["tag"]) == {"hush": 1}


@pytest.mark.parametrize("q", ["deadlift", "math", "tagged", "pods"])
def test_snippets_carry_no_markdown(ft: FullText, q: str) -> None:
    for _, _, snippet in ft.find(q, 10, 0, None, None, False)["hits"]:
        assert snippet and not any(c in snippet for c in "|$^#") and "---" not in snippet and "[" not in snippet, snippet


def test_inflected_word_is_highlighted(ft: FullText) -> None:
    hits = ft.find("liefen", 10, 0, None, None, False)["hits"]
    assert "<mark>liefen</mark>" in hits[0][2] and "<mark>Läufer</mark>" not in hits[0][2]
    hits = ft.find("squats", 10, 0, None, None, False)["hits"]
    assert [sn for n, _, sn in hits if n == 0] == ["A lower body lift."]  # a title match: the body's start


def test_patched_index_keeps_languages_and_facets(ft: FullText) -> None:
    new = ft.patched([0], [(0, rec("Kniebeuge", "Wir beugten die Knie.", type="exercise", lang="de"), True)])
    assert [ENTRIES[n][0]["title"] for n, _, _ in new.find("beugten", 5, 0, None, None, False)["hits"]] == ["Squat"]
    assert titles(ft, "squat")[0] == "Squat"  # the old index still answers as before
    assert dict(new.find("kniebeuge", 5, 0, None, None, False)["facets"]["type"]) == {"exercise": 1}
