"""Keywords: real words in each language, cache by content hash, parallel equals serial."""
from __future__ import annotations

import pytest

from kbsync.discovery import keywords as K

SQUAT_EN = "The squat is a leg exercise. A barbell squat builds strength in the legs and back. " \
           "We train the squat every week with a barbell."
SQUAT_DE = "Die Kniebeuge ist eine Übung für die Beine. Die Kniebeuge mit der Langhantel stärkt die Beine " \
           "und den Rücken. Wir trainieren die Kniebeuge jede Woche."
KB_ZH = "知识库是一个用于存储和管理知识的系统。知识库记录每次训练。力量训练需要循序渐进，深度学习也需要数据。"
TOKYO_JA = "東京は日本の首都です。東京には多くの美術館があります。美術館の展示は毎月変わります。"


@pytest.mark.parametrize("text, lang, must", [
    (SQUAT_EN, "en", {"squat", "barbell"}),
    (SQUAT_DE, "de", {"Kniebeuge", "Langhantel"}),
    (KB_ZH, "zh", {"知识库", "训练"}),
    (TOKYO_JA, "ja", {"東京", "美術館"}),
    ("too short", "en", set()),
])
def test_extract_finds_real_words(text: str, lang: str, must: set[str]) -> None:
    got = K.extract(text, lang)
    assert must <= set(got), got
    if lang in ("zh", "ja"):  # words, not single characters or whole clauses
        assert all(2 <= len(k) <= 6 for k in got), got
    if not must:
        assert got == []


def test_german_stopwords_are_not_keywords() -> None:
    got = {k.lower() for k in K.extract(SQUAT_DE, "de")}
    assert not got & {"die", "der", "und", "für", "jede"}


def records(n: int) -> list[dict]:
    return [{"slug": f"n{i}", "hash": f"h{i}", "fields": {},
             "text": f"Entry {i} is about the barbell squat and the deadlift. Squat {i} times, deadlift later."}
            for i in range(n)]


def test_cache_means_an_unchanged_entry_is_never_recomputed(tmp_path) -> None:
    cache = K.KeywordCache(tmp_path / "kw.sqlite")
    recs = records(20)
    first, stats = K.compute(recs, cache, workers=1)
    assert stats.computed == 20
    again, stats = K.compute(recs, K.KeywordCache(tmp_path / "kw.sqlite"), workers=1)  # a new process's view
    assert stats.computed == 0 and again == first
    recs[3] = dict(recs[3], hash="h3-edited", text="A new text about kettlebell swings and kettlebell snatches.")
    edited, stats = K.compute(recs, cache, workers=1)
    assert stats.computed == 1
    assert "kettlebell" in " ".join(edited["n3"]).lower()
    assert {k: v for k, v in edited.items() if k != "n3"} == {k: v for k, v in first.items() if k != "n3"}


def test_other_options_are_other_cache_entries(tmp_path) -> None:
    cache = K.KeywordCache(tmp_path / "kw.sqlite")
    K.compute(records(3), cache, workers=1)
    _, stats = K.compute(records(3), cache, K.KeywordOptions(top=3), workers=1)
    assert stats.computed == 3


def test_parallel_equals_serial() -> None:
    recs = records(40)
    serial, s1 = K.compute(recs, None, workers=1)
    parallel, s2 = K.compute(recs, None, workers=2)
    assert s2.workers == 2 and s1.workers == 1
    assert parallel == serial
