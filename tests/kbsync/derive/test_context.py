"""Ctx.file_line: a body line maps to its file line (front matter and its fences counted)."""
from __future__ import annotations

import pytest

from kbsync.derive.context import Ctx, Options
from kbsync.derive.spans import scan
from kbsync.parse import parse_bytes


@pytest.mark.parametrize(("text", "body_line", "file_line"), [
    ("no front matter", 1, 1), ("no front matter\nline 2", 2, 2),
    ("---\ntitle: x\n---\nbody", 2, 4), ("---\na: 1\nb: 2\n---\n\nthird", 2, 6),
])
def test_file_line(text: str, body_line: int, file_line: int) -> None:
    parsed = parse_bytes("x.md", text.encode())
    ctx = Ctx(parsed=parsed, scan=scan(parsed.body), options=Options())
    assert ctx.file_line(body_line) == file_line and ctx.out == {}
