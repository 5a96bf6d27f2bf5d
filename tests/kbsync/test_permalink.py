"""`permalink` (kbsync.permalink): the stored URL, or a `path:line` warning and the path URL."""
from __future__ import annotations

import pytest

from kbsync.build import build_record
from kbsync.check import format_problem
from kbsync.derive import Options
from kbsync.parse import parse_bytes

PERMALINKS = [  # front matter, stored url, warning
    ("permalink: start", "/start/", None),
    ("permalink: /Guide/Start Here/", "/guide/start-here/", None),
    ("title: T", "/notes/a-b/", None),
    ("permalink: ../up", "/notes/a-b/", "notes/A b.md:2: warning: `permalink` should be a URL path"),
    ("permalink: 5", "/notes/a-b/", "notes/A b.md:2: warning: `permalink` should be a URL path"),
]


@pytest.mark.parametrize(("fm", "url", "warning"), PERMALINKS)
def test_permalink_sets_the_stored_url(fm: str, url: str, warning: str | None) -> None:
    rec, _ = build_record(parse_bytes("notes/A b.md", f"---\n{fm}\n---\nx\n".encode()), Options())
    assert rec["url"] == url
    got = [format_problem(p) for p in rec["problems"]]
    assert (got[0].startswith(warning) and len(got) == 1) if warning else got == []
