"""headings deriver: level, plain text, unique anchors (as MkDocs' toc), file lines (front matter counted)."""
from __future__ import annotations

import pytest

from .conftest import derived


@pytest.mark.parametrize(("text", "rows"), [
    ("# One\n## Two", [(1, "One", "one", 1), (2, "Two", "two", 2)]),
    ("---\ntitle: x\n---\n# A", [(1, "A", "a", 4)]),
    ("## Notes\n## Notes\n## Notes", [(2, "Notes", "notes", 1), (2, "Notes", "notes_1", 2), (2, "Notes", "notes_2", 3)]),
    ("# ON_HOLD items", [(1, "ON_HOLD items", "on_hold-items", 1)]),
    ("# A [[Link|label]] *em*", [(1, "A label em", "a-label-em", 1)]),
    ("```\n# not\n```\nSetext\n===", [(1, "Setext", "setext", 4)]),
    ("no heading", []),
])
def test_headings(text: str, rows: list[tuple[int, str, str, int]]) -> None:
    assert [(h["level"], h["text"], h["anchor"], h["line"]) for h in derived(text)["headings"]] == rows
