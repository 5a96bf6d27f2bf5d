"""Folding and typo budgets: the rules suggest applies to every name and query."""
from __future__ import annotations

import pytest

from kbsync.search.normalize import fold, key, tokens, typo_budget


@pytest.mark.parametrize(("text", "expected"), [
    ("Café", ["cafe"]),
    ("NAÏVE Zürich", ["naive", "zurich"]),
    ("São-Paulo", ["sao", "paulo"]),
    ("Straße", ["strasse"]),
    ("知识库", ["知", "识", "库"]),
    ("東京 tower", ["東", "京", "tower"]),
    ("Москва", ["москва"]),
    ('{"$gt": ""}', ["gt"]),
    ("../../etc/passwd", ["etc", "passwd"]),
    ("snake_case", ["snake", "case"]),
    ("", []),
])
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_fold_and_key() -> None:
    assert fold("Ångström") == "angstrom"
    assert key("  Hello,   World! ") == "hello world"


@pytest.mark.parametrize(("token", "strict", "relaxed"), [
    ("cat", 0, 0), ("bank", 0, 1), ("apple", 1, 1), ("absolute", 1, 2), ("libraries", 2, 2), ("知识库知识", 0, 0),
])
def test_typo_budget_like_meilisearch(token: str, strict: int, relaxed: int) -> None:
    assert typo_budget(token) == strict
    assert typo_budget(token, relaxed=True) == relaxed
