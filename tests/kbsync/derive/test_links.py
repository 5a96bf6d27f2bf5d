"""raw_links deriver: wikilinks, embeds and Markdown links to notes, unresolved, with file lines."""
from __future__ import annotations

import pytest

from kbsync.derive.links import anchor_id

from .conftest import derived


@pytest.mark.parametrize(("text", "rows"), [
    ("[[T]]", [("link", "T", None, None, False, 1)]),
    ("[[T|lab]] ![[I.png]]", [("link", "T", None, "lab", False, 1), ("embed", "I.png", None, None, False, 1)]),
    ("[[T#Sub Head|x]]", [("link", "T", "sub-head", "x", False, 1)]),
    ("[[#^blk]]", [("link", "", "^blk", None, False, 1)]),
    ("---\na: 1\n---\n\n[x](dir/N.md#Part)", [("link", "dir/N.md", "part", "x", True, 5)]),
    ("[x](Note) [y](file.pdf) [z](https://e.org/a.md)", [("link", "Note", None, "x", True, 1)]),
    ("`[[code]]`\n```\n[[fenced]]\n```\n%% [[hidden]] %%", []),
])
def test_raw_links(text: str, rows: list[tuple]) -> None:
    got = [(r["kind"], r["target"], r["anchor"], r["label"], r["md"], r["line"]) for r in derived(text)["raw_links"]]
    assert got == rows


@pytest.mark.parametrize(("anchor", "out"), [(None, None), ("", None), ("My Head", "my-head"), ("^Block-1", "^Block-1")])
def test_anchor_id(anchor: str | None, out: str | None) -> None:
    assert anchor_id(anchor) == out
