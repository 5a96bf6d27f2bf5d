"""yakelite returns exactly what stock YAKE returns (keywords, order and scores) for the same settings."""
from __future__ import annotations

from pathlib import Path

import pytest
import yake

from kbsync.discovery import lang as L
from kbsync.discovery.yakelite import LiteExtractor
from kbsync.testing.corpus import ensure

CONTENT = Path(__file__).resolve().parents[3] / "content"
EDGE = [
    "",
    "the and of to a in",  # stopwords only: no valid candidate
    "NASA and the ESA plan 3 launches in 2027; NASA's budget is $2,500,000.50 (v2 rocket, x86 code).",
    "Squats squats SQUATS. The squat, the squat... squat!!! Squat-rack? Back squat; front squat: heavy.",
    "One. Two. Three words here. Then the Deadlift, the Romanian Deadlift and a deadlift of 200 kg.",
    "Le squat est un exercice. La charge du squat augmente chaque semaine avec la barre et les disques.",
]


def corpus_texts() -> list[str]:
    return sorted(p.read_text(encoding="utf-8") for p in CONTENT.rglob("*.md"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    content, _ = ensure(tmp_path_factory.mktemp("yl"), 60, planted=True)
    return [p.read_text(encoding="utf-8") for p in sorted(content.rglob("*.md"))]


SETTINGS = [
    {"lan": "en", "n": 2, "top": 8, "dedup_lim": 0.8},  # ours (KeywordOptions)
    {"lan": "en", "n": 3, "top": 20, "dedup_lim": 0.9},  # stopwords inside phrases (the "bi" weighting)
    {"lan": "de", "n": 1, "top": 5, "dedup_lim": 1.0},  # no deduplication
    {"lan": "fr", "n": 2, "top": 10, "dedup_lim": 0.7, "window_size": 2},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s['lan']}-n{s['n']}-d{s['dedup_lim']}")
def test_same_as_stock_yake(settings: dict, generated: list[str]) -> None:
    stock, lite = yake.KeywordExtractor(**settings), LiteExtractor(**settings)
    texts = EDGE + corpus_texts() + generated
    mismatched = [t[:60] for t in texts if lite.extract_keywords(t) != stock.extract_keywords(t)]
    assert not mismatched, mismatched
    assert any(lite.extract_keywords(t) for t in texts)  # the comparison is not between two empty lists


def test_same_with_custom_stopwords() -> None:
    text = "qxaq qxbq qxcq. qxaq qxdq qxbq. qxeq qxaq qxbq qxcq."  # how CJK words reach YAKE (keywords._extract_cjk)
    stop = frozenset({"qxcq"}) | L.stopwords("en")
    kw = {"lan": "en", "n": 1, "top": 8, "dedup_lim": 0.8, "stopwords": stop}
    assert LiteExtractor(**kw).extract_keywords(text) == yake.KeywordExtractor(**kw).extract_keywords(text)
