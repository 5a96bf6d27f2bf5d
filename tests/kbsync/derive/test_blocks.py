"""Block ids (kbsync.derive.blocks), heading anchors, and broken-anchor warnings in `kb check`."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.check import collect, format_problem
from kbsync.derive import derive
from kbsync.derive.blocks import block_source
from kbsync.parse import parse_bytes
from kbsync.store import open_store
from kbsync.sync import sync_content
from tests.conftest import write


def _derived(body: str) -> dict:
    return derive(parse_bytes("n.md", body.encode()))


BLOCKS = [  # body, [(id, file line)]
    ("Drive up. ^drive", [("drive", 1)]),
    ("a\nb ^two-lines", [("two-lines", 2)]),
    ("- one ^item1\n- two ^item2", [("item1", 1), ("item2", 2)]),
    ("| a |\n|---|\n| 1 |\n\n^table", [("table", 5)]),
    ("> quoted ^q1", [("q1", 1)]),
    ("---\ntitle: T\n---\ntext ^fm", [("fm", 4)]),
    ("x ^dup\n\ny ^dup", [("dup", 1)]),
    ("`code ^no`", []),
    ("```\nfenced ^no\n```", []),
    ("%% hidden ^no %%", []),
    ("a^no", []),
    ("x ^bad_id", []),
    ("footnote^[inline] here", []),
    ("x ^a ^b", [("b", 1)]),
    ("^alone", [("alone", 1)]),
    ("a\n\t^tab\n^next", [("tab", 2), ("next", 3)]),
    ("x^a ^b", [("b", 1)]),
]


@pytest.mark.parametrize(("body", "expected"), BLOCKS)
def test_block_ids_are_derived_with_lines(body: str, expected: list[tuple[str, int]]) -> None:
    assert [(b["id"], b["line"]) for b in _derived(body)["blocks"]] == expected


SOURCES = [  # body, id, the block's Markdown
    ("intro\n\nDrive up.\nMore text. ^drive\n\nafter", "drive", "Drive up.\nMore text."),
    ("- one ^i1\n- two", "i1", "- one"),
    ("- one\n    - sub ^s\n    - sub2", "s", "- sub"),
    ("- parent ^p\n    - child\n- next", "p", "- parent\n    - child"),
    ("| a |\n|---|\n| 1 |\n\n^t", "t", "| a |\n|---|\n| 1 |"),
    ("```\nx ^c\n```\n\ny ^c", "c", "y"),
    ("text ^x", "nope", None),
]


@pytest.mark.parametrize(("body", "bid", "expected"), SOURCES)
def test_block_source(body: str, bid: str, expected: str | None) -> None:
    assert block_source(body, bid) == expected


HEADINGS = [  # heading, anchor MkDocs' toc gives it
    ("## ON_HOLD", "on_hold"),
    ("## When DONE is not followed by TODO or IN_PROGRESS", "when-done-is-not-followed-by-todo-or-in_progress"),
    ("## *emphasis* and _this_", "emphasis-and-this"),
    ("## snake_case_name", "snake_case_name"),
]


@pytest.mark.parametrize(("heading", "anchor"), HEADINGS)
def test_heading_anchor_keeps_intraword_underscores(heading: str, anchor: str) -> None:
    assert [h["anchor"] for h in _derived(heading)["headings"]] == [anchor]


ANCHORS = [  # link written in Other.md, expected warning (None: fine)
    ("[[Squat#^drive]]", None),
    ("[[Squat#Form]]", None),
    ("![[Squat#^item1]]", None),
    ("[[Squat#^nope]]", "Other.md:1: warning: broken block anchor in [[Squat#^nope]]: Squat.md has no #^nope"),
    ("[[Squat#Nope]]", "Other.md:1: warning: broken heading anchor in [[Squat#Nope]]: Squat.md has no #nope"),
    ("![[Squat#^gone]]", "Other.md:1: warning: broken block anchor in ![[Squat#^gone]]: Squat.md has no #^gone"),
    ("[[#Missing here]]", "Other.md:1: warning: broken heading anchor in [[#Missing here]]: Other.md has no "
                          "#missing-here"),
    ("[[#Here]]\n\n## Here", None),
]


@pytest.mark.parametrize(("link", "warning"), ANCHORS)
def test_check_warns_on_broken_anchors(tmp_path: Path, link: str, warning: str | None) -> None:
    content = write(tmp_path / "content", {
        "Squat.md": "# Squat\n\nDrive up. ^drive\n\n- item one ^item1\n\n## Form\n",
        "Other.md": link + "\n",
    })
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    got = [format_problem(p) for p in collect(store, content) if p["code"] == "broken_anchor"]
    assert got == ([warning] if warning else [])
