"""tags deriver: front-matter tags then inline #tags, first spelling wins, case-insensitive, no code/headings/URLs."""
from __future__ import annotations

import pytest

from .conftest import derived


@pytest.mark.parametrize(("text", "tags"), [
    ("---\ntags: [Ideas, gym]\n---\n#ideas #new", ["Ideas", "gym", "new"]),
    ("#a/b/c and #x-y_z", ["a/b/c", "x-y_z"]),
    ("`#code` and\n```\n#fenced\n```\n", []),
    ("# Heading\nhttp://x.org/#frag #ok", ["ok"]),
    ("issue #123 but #1a", ["1a"]),
    ("---\ntags: [true, no, 2024]\n---\n", ["true", "no", "2024"]),
    ("#Dup #dup #DUP", ["Dup"]),
    ("%% #hidden %% #shown", ["shown"]),
])
def test_tags(text: str, tags: list[str]) -> None:
    assert derived(text)["tags"] == tags
