"""title deriver: front matter `title`, else the first `# H1` as plain text, else the file stem."""
from __future__ import annotations

import pytest

from .conftest import derived


@pytest.mark.parametrize(("text", "path", "title"), [
    ("---\ntitle: Given\n---\n# Heading\n", "a/x.md", "Given"),
    ("---\ntitle: 2024\n---\n", "a/x.md", "2024"),
    ("# The **Bold** [[Target|label]] `code`\n", "a/x.md", "The Bold label code"),
    ("## Only H2\n", "a/Stem Name.md", "Stem Name"),
    ("#   \n# Second\n", "x.md", "Second"),
    ("```\n# in code\n```\n", "folder/File.md", "File"),
    ("", "Empty.md", "Empty"),
])
def test_title(text: str, path: str, title: str) -> None:
    assert derived(text, path)["title"] == title
