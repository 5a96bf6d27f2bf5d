"""Front-matter links without quotes (kbsync.fmlinks): parsed as the wikilinks they were meant to be."""
from __future__ import annotations

import pytest

from kbsync.derive import derive
from kbsync.parse import parse_bytes

CASES = [  # front matter, field value stored, relation edges (kind, target, label)
    ("up: [[Note]]", "[[Note]]", [("up", "Note", None)]),
    ("up: [[Note|Parent]]", "[[Note|Parent]]", [("up", "Note", "Parent")]),
    ("down:\n  - [[A]]\n  - [[B]]", ["[[A]]", "[[B]]"], [("down", "A", None), ("down", "B", None)]),
    ('up: "[[Note]]"', "[[Note]]", [("up", "Note", None)]),
    ("matrix: [[1, 2], [3, 4]]", [[1, 2], [3, 4]], []),
    ("pairs: [[a, b]]", [["a", "b"]], []),
    ("mixed:\n  - \"[[A]]\"\n  - [[B]]", ["[[A]]", "[[B]]"], [("mixed", "A", None), ("mixed", "B", None)]),
    ("lists: [[a], [b]]", [["a"], ["b"]], []),
    ("nums: [[1]]", [[1]], []),
    ("plain: [a, b]", ["a", "b"], []),
]


@pytest.mark.parametrize(("fm", "value", "edges"), CASES)
def test_unquoted_front_matter_links(fm: str, value, edges: list[tuple]) -> None:
    parsed = parse_bytes("n.md", f"---\n{fm}\n---\nbody\n".encode())
    key = fm.split(":", 1)[0]
    assert parsed.fields[key] == value
    got = [(r["kind"], r["target"], r["label"]) for r in derive(parsed)["raw_relations"]]
    assert got == edges
    assert all(r["line"] == 2 for r in derive(parsed)["raw_relations"])

