"""raw_mentions deriver: @handles in text, not in emails, code, links or headings."""
from __future__ import annotations

import pytest

from .conftest import derived


@pytest.mark.parametrize(("text", "rows"), [
    ("hi @ann and @bob_2", [("ann", "@ann", 1), ("bob_2", "@bob_2", 1)]),
    ("---\nx: 1\n---\nline\n@ann", [("ann", "@ann", 5)]),
    ("mail ann@example.org", []),
    ("`@code`\n```\n@fenced\n```", []),
    ("[@label](N.md) [[@wiki]]", []),
    ("# @heading", []),
])
def test_mentions(text: str, rows: list[tuple[str, int]]) -> None:
    assert [(m["target"], m["raw"], m["line"]) for m in derived(text)["raw_mentions"]] == rows
    assert all(m["kind"] == "mention" for m in derived(text)["raw_mentions"])
