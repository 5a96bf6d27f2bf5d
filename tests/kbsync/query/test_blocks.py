"""Finding query fences in Markdown: languages, lines, prefixes (lists, callouts), nested examples skipped."""
from __future__ import annotations

import pytest

from kbsync.query.blocks import find_blocks, replace_blocks


@pytest.mark.parametrize(("text", "expected"), [
    ("```dataview\nLIST\n```", [("dataview", "LIST", 2, "")]),
    ("intro\n\n```Dataview\nTABLE x\nFROM #a\n```\n", [("dataview", "TABLE x\nFROM #a", 4, "")]),
    ("~~~dataview\nLIST\n~~~", [("dataview", "LIST", 2, "")]),
    ("```dataviewjs\ndv.list()\n```", [("dataviewjs", "dv.list()", 2, "")]),
    ("```base\nviews: []\n```", [("base", "views: []", 2, "")]),
    ("- item\n  ```dataview\n  LIST\n  ```", [("dataview", "LIST", 3, "  ")]),
    ("> [!note]\n> ```dataview\n> LIST FROM #a\n> ```", [("dataview", "LIST FROM #a", 3, "> ")]),
    ("````markdown\n```dataview\nLIST\n```\n````", []),
    ("```python\nx = 1\n```\n```dataview\nLIST\n```", [("dataview", "LIST", 5, "")]),
    ("```dataview\nLIST", [("dataview", "LIST", 2, "")]),
    ("no fences", []),
    ("`inline` ```dataview``` text", []),
])
def test_find_blocks(text: str, expected: list) -> None:
    assert [(b.lang, b.text, b.line, b.prefix) for b in find_blocks(text)] == expected


def test_replace_keeps_the_rest_and_the_callout() -> None:
    text = "a\n> [!note]\n> ```dataview\n> LIST\n> ```\nb\n```dataview\nTASK\n```\nc"
    out = replace_blocks(text, lambda b: f"<{b.text}>")
    assert out == "a\n> [!note]\n>\n> <LIST>\n>\nb\n\n<TASK>\n\nc"


def test_fence_inside_an_indented_code_block_is_an_example() -> None:
    text = "Sample:\n\n    ```dataviewjs\n    dv.list()\n    ```\n\n1. step\n\n    ```dataview\n    LIST\n    ```\n"
    assert [(b.lang, b.line) for b in find_blocks(text)] == [("dataview", 10)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Rated `= this.rating` of 10", "Rated <this.rating> of 10"),
    ("`=date(today)` and `= 1 + 2 `", "<date(today)> and <1 + 2>"),
    ("```\n`= not here`\n```\n    `= nor here`", "```\n`= not here`\n```\n    `= nor here`"),
    ("``= double`` and `plain` and `$= js`", "``= double`` and `plain` and `$= js`"),
])
def test_inline_queries(text: str, expected: str) -> None:
    from kbsync.query.blocks import replace_inline

    assert replace_inline(text, lambda e: f"<{e}>") == expected
