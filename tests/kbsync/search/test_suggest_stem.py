"""Typeahead matches inflected forms in each entry's language, after every exact match."""
from __future__ import annotations

import pytest

from kbsync.search.suggest import ALIAS, TITLE, SuggestIndex

NAMES = [  # (title, aliases, lang)
    ("Squat", ["Back Squat"], "en"),
    ("Squats for beginners", [], "en"),
    ("Run", [], "en"),
    ("Running shoes", [], "en"),
    ("Laufen", ["Läufe im Wald"], "de"),
    ("Studies", [], "en"),
    ("Walking", [], None),  # a language without a stemmer: exact words only
    ("Jumping", [], "en"),
]


@pytest.fixture(scope="module")
def index() -> SuggestIndex:
    names = [(e, TITLE, t) for e, (t, _, _) in enumerate(NAMES)]
    names += [(e, ALIAS, a) for e, (_, aliases, _) in enumerate(NAMES) for a in aliases]
    langs = {e: lang for e, (_, _, lang) in enumerate(NAMES) if lang}
    return SuggestIndex(names, [0] * len(NAMES), [True] * len(NAMES), [f"s{e}" for e in range(len(NAMES))], langs)


def titles(index: SuggestIndex, q: str) -> list[str]:
    return [NAMES[h["entry"]][0] for h in index.suggest(q, 8)]


@pytest.mark.parametrize(("q", "expect"), [
    ("squats", ["Squats for beginners", "Squat"]),  # the exact word first, then the inflected one
    ("back squats", ["Squat"]),
    ("running", ["Running shoes", "Run"]),
    ("runs", ["Run", "Running shoes"]),
    ("study", ["Studies"]),
    ("lauf", ["Laufen"]),  # German stems: "läufe" -> "lauf"
    ("jumped", ["Jumping"]),
    ("walked", []),
])
def test_inflected_forms_follow_exact_ones(index: SuggestIndex, q: str, expect: list[str]) -> None:
    assert titles(index, q)[:len(expect)] == expect
    if not expect:
        assert titles(index, q) == []


def test_without_languages_english_is_assumed() -> None:
    idx = SuggestIndex([(0, TITLE, "Squat")], [0], [True], ["squat"])
    assert [h["entry"] for h in idx.suggest("squats")] == [0]


def test_patched_index_stems_new_names(index: SuggestIndex) -> None:
    new = index.patched([6], [(6, TITLE, "Kniebeugen")], [0] * len(NAMES), [True] * len(NAMES), {6: "s6"},
                        {**{e: lang for e, (_, _, lang) in enumerate(NAMES) if lang}, 6: "de"})
    assert [h["text"] for h in new.suggest("kniebeuge")] == ["Kniebeugen"]
    assert titles(index, "walking") == ["Walking"]  # the serving index is unchanged
