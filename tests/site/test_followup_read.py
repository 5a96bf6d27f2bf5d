"""Which link targets a follow-up reads again: those whose stored backlinks (source, kind) the edit moved."""
from __future__ import annotations

import pytest

from site_plugins.followup_read import backlinked


def _rec(*links: tuple[str, str], visibility: str = "public", attachment: str | None = None) -> dict:
    out = [{"target": t, "kind": k} for t, k in links]
    if attachment:
        out.append({"target": attachment, "kind": "embed", "attachment": True})
    return {"slug": "v", "visibility": visibility, "links": out}


CASES = [
    ("body only", _rec(("a", "link"), ("b", "embed")), _rec(("a", "link"), ("b", "embed")), set()),
    ("same target twice", _rec(("a", "link")), _rec(("a", "link"), ("a", "link")), set()),
    ("link added", _rec(("a", "link")), _rec(("a", "link"), ("c", "link")), {"c"}),
    ("link removed", _rec(("a", "link"), ("b", "link")), _rec(("a", "link")), {"b"}),
    ("kind changed", _rec(("a", "link")), _rec(("a", "embed")), {"a"}),
    ("second kind", _rec(("a", "link")), _rec(("a", "link"), ("a", "author")), {"a"}),
    ("hidden", _rec(("a", "link"), ("b", "link")), _rec(("a", "link"), ("b", "link"), visibility="draft"), {"a", "b"}),
    ("attachment", _rec(("a", "link")), _rec(("a", "link"), attachment="x.png"), set()),
]


@pytest.mark.parametrize(("old", "new", "read"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_targets_read_again_are_those_whose_backlinks_moved(old: dict, new: dict, read: set[str]) -> None:
    assert backlinked("v", old, new) == read
