"""`derived(text)`: every deriver's output for one file, as sync computes it."""
from __future__ import annotations

from typing import Any

from kbsync.derive import Options, derive
from kbsync.parse import parse_bytes


def derived(text: str, path: str = "notes/Note.md", *, keywords: bool = False) -> dict[str, Any]:
    return derive(parse_bytes(path, text.encode()), Options(keywords=keywords))
