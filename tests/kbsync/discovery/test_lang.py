"""Language guess, codes, segmentation and stems."""
from __future__ import annotations

import pytest

from kbsync.discovery import lang as L


@pytest.mark.parametrize("text, want", [
    ("The dog is not in the house and the cat is not there either, but we are here today.", "en"),
    ("Der Hund ist nicht in dem Haus und die Katze ist auch nicht da, aber wir sind hier.", "de"),
    ("Le chien n'est pas dans la maison et le chat n'est pas là non plus, mais nous sommes ici.", "fr"),
    ("El perro no está en la casa y el gato tampoco está allí, pero nosotros estamos aquí hoy.", "es"),
    ("知识库是一个用于存储和管理知识的系统", "zh"),
    ("これは日本語のテキストです。東京に行きます。", "ja"),
    ("Москва это столица России и большой город", "ru"),
    ("Brar jemchaitplem doumpok deape", "en"),  # too few words to tell: the default
    ("", "en"),
])
def test_detect(text: str, want: str) -> None:
    assert L.detect(text) == want


@pytest.mark.parametrize("value, want", [
    ("de", "de"), ("de-DE", "de"), ("zh_CN", "zh"), ("German", "de"), ("EN", "en"), ("klingon", None),
    (None, None), (3, None), ("", None),
])
def test_code(value: object, want: str | None) -> None:
    assert L.code(value) == want


@pytest.mark.parametrize("rec, want", [
    ({"fields": {"lang": "fr"}, "text": "The dog is not in the house and the cat is not there either."}, "fr"),
    ({"fields": {}, "text": "Der Hund ist nicht in dem Haus und die Katze ist auch nicht da, aber wir."}, "de"),
    ({"fields": {"lang": "xx"}, "text": "short"}, "en"),
])
def test_language_of_prefers_front_matter(rec: dict, want: str) -> None:
    assert L.language_of(rec) == want


@pytest.mark.parametrize("text, want", [
    ("Back squats, running", ["Back", "squats", "running"]),
    ("知识库是一个系统", ["知识库", "是", "一个", "系统"]),
    ("Use 数据 here", ["Use", "数据", "here"]),
])
def test_segment(text: str, want: list[str]) -> None:
    assert L.segment(text) == want


@pytest.mark.parametrize("phrase, lang, want", [
    ("Heavy Squats", "en", "heavi squat"), ("running", "en", "run"), ("Kniebeugen", "de", "kniebeug"),
    ("数据", "zh", "数据"),
])
def test_stem_phrase(phrase: str, lang: str, want: str) -> None:
    assert L.stem_phrase(phrase, lang) == want


_MIXED = ["Ångström", "straße", "知识库", "これは", "Москва", "서울", "Ελλάδα", "the", "and", "object", "time", "!", " ", "\n"]


@pytest.mark.parametrize("seed", range(40))
def test_latin_shortcut_decides_as_the_full_count(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The C-counted Latin shortcut gives the script guess the letter-by-letter count gives (mixes of scripts)."""
    import random

    rnd = random.Random(seed)
    share = rnd.random()  # of non-Latin words: from none to most
    text = " ".join(rnd.choice(_MIXED[:7] if rnd.random() < share * share else _MIXED[7:])
                    for _ in range(rnd.randint(1, 400)))
    fast = L.detect(text)
    monkeypatch.setattr(L, "_latin", lambda sample: False)
    assert L.detect(text) == fast


@pytest.mark.parametrize("head, tail, want", [
    ("Der Hund ist nicht in dem Haus und die Katze ist auch nicht da, aber wir sind hier. ", "The dog is here. ", "de"),
    ("The dog is not in the house and the cat is not there either. ", "Der Hund ist hier. ", "en"),
])
def test_a_long_text_is_told_by_its_beginning(head: str, tail: str, want: str) -> None:
    """Only a bounded prefix is tokenised for stopwords: what follows it never changes the guess."""
    text = head * (L.STOPWORD_SAMPLE // len(head) + 1) + tail * 500
    assert L.detect(text) == want


@pytest.mark.parametrize("text", [
    "", "'", "''", "a'b", "a''b", "'a", "a'", "don't stop", "rock'n'roll", "it''s", "x'''y'z", "a'b''c'd",
    " ' a ' b ' ", "123'456", "_'_", "__init__ a_b 3.14 x-y", "tab\tnew\nline\r\x00\x7f\x1f end", "[[Link|label]] #tag @me",
])
def test_segment_splits_ascii_text_as_the_word_pattern_does(text: str) -> None:
    assert L.segment(text) == L._WORD.findall(text)


def test_segment_splits_random_ascii_text_as_the_word_pattern_does() -> None:
    import random

    rnd = random.Random(16)
    alphabet = [chr(i) for i in range(128)] + ["'"] * 30 + list("ab_1 ") * 10
    for _ in range(5000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        assert L.segment(text) == L._WORD.findall(text), repr(text)
