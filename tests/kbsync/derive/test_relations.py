"""raw_relations deriver: front-matter fields whose values hold wikilinks are typed edges named after the field."""
from __future__ import annotations

import pytest

from .conftest import derived


@pytest.mark.parametrize(("fm", "rows"), [
    ('related: "[[Squat]]"', [("related", "Squat", None, None, 2)]),
    ('related: ["[[A]]", "[[B#Part|b]]"]', [("related", "A", None, None, 2), ("related", "B", "part", "b", 2)]),
    ("x: 1\nparent: '[[P]] and [[Q]]'", [("parent", "P", None, None, 3), ("parent", "Q", None, None, 3)]),
    ("related: [[Squat]]", [("related", "Squat", None, None, 2)]),  # unquoted: a list in a list, flattened
    ("related: plain text\nn: 3", []),
    ("list: [1, '[[X]]', {a: '[[Y]]'}]", [("list", "X", None, None, 2)]),
])
def test_relations(fm: str, rows: list[tuple]) -> None:
    got = derived(f"---\n{fm}\n---\nbody [[NotARelation]]\n")["raw_relations"]
    assert [(r["kind"], r["target"], r["anchor"], r["label"], r["line"]) for r in got] == rows
