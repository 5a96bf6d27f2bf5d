"""inline_fields deriver: Dataview's `key:: value` forms, raw text, repeated keys as lists, code ignored."""
from __future__ import annotations

import pytest

from kbsync.derive import derive
from kbsync.parse import parse_bytes


def fields_of(text: str) -> dict:
    return derive(parse_bytes("t.md", text.encode()))["inline_fields"]


@pytest.mark.parametrize(("body", "expected"), [
    ("rating:: 9", {"rating": "9"}),
    ("Due Date:: 2024-06-01", {"Due Date": "2024-06-01"}),
    ("**Bold Key**:: value", {"Bold Key": "value"}),
    ("- list key:: in a list", {"list key": "in a list"}),
    ("> quoted:: yes", {"quoted": "yes"}),
    ("I read it [rating:: 9] and (mood:: calm).", {"rating": "9", "mood": "calm"}),
    ("author:: [[Tolkien]]", {"author": "[[Tolkien]]"}),
    ("tag:: a\ntag:: b", {"tag": ["a", "b"]}),
    ("empty::", {"empty": ""}),
    ("```\ncode:: no\n```\n`x:: no` and std::vector", {}),
    ("see https://example.org/a::b", {}),
    ("no fields here", {}),
])
def test_inline_fields(body: str, expected: dict) -> None:
    assert fields_of(body) == expected
