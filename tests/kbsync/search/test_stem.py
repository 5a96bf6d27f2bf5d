"""Stemmer choice per entry, and tantivy's Snowball stems agreeing with nltk's."""
from __future__ import annotations

import pytest
from nltk.stem.snowball import SnowballStemmer

from kbsync.discovery.lang import SNOWBALL
from kbsync.search import stem


@pytest.mark.parametrize(("fields", "lang"), [
    ({}, "en"), ({"lang": "de"}, "de"), ({"lang": "fr-CA"}, "fr"), ({"lang": "German"}, "de"),
    ({"lang": "zh"}, None), ({"lang": "ja"}, None), ({"lang": ""}, "en"), ({"lang": 3}, "en"),
    ({"lang": "xx-unknown"}, "en"),
])
def test_language_of_an_entry(fields: dict, lang: str | None) -> None:
    assert stem.language({"fields": fields}) == lang


WORDS = {
    "en": "squats running runs studies studying generously",
    "de": "laufen liefen läufer häuser kinder",
    "fr": "coureurs courent mangeons nationales",
    "es": "corriendo corredores casas",
    "ru": "бегать бегали книги",
    "sv": "springer springande husen",
}


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_stems_agree_with_nltk_snowball(lang: str) -> None:
    nltk = SnowballStemmer(SNOWBALL[lang])
    from kbsync.search.normalize import fold

    for word in WORDS[lang].split():
        assert stem.stem(word, lang) == fold(nltk.stem(word)), word


@pytest.mark.parametrize(("a", "b", "lang"), [
    ("squats", "squat", "en"), ("running", "run", "en"), ("studies", "study", "en"),
    ("liefen", "lief", "de"), ("coureurs", "coureur", "fr"),
])
def test_inflections_share_a_stem(a: str, b: str, lang: str) -> None:
    assert stem.stem(a, lang) == stem.stem(b, lang)
