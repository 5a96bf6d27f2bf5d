"""Which link targets a follow-up reads again (those whose stored backlinks the edit moved), and which pages are
candidates for a re-render."""
from __future__ import annotations

import pytest

from site_plugins.followup_read import backlinked, candidates


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


class _Index:
    def __init__(self, records: dict) -> None:
        self.records = records


def _entry(slug: str, links: tuple = (), backs: tuple = (), h: str = "h", title: str = "T") -> dict:
    return {"slug": slug, "hash": h, "title": title, "links": [{"target": t, "kind": k, "raw": t} for t, k in links],
            "backlinks": [{"source": s, "kind": k} for s, k in backs]}


# v links to hub; e1 embeds hub, e2 embeds e1; s links to v; f embeds s
HUB = _entry("hub", backs=(("v", "link"), ("e1", "embed")))
V = _entry("v", links=(("hub", "link"),), backs=(("s", "link"),))
WORLD = {"hub": HUB, "v": V, "e1": _entry("e1", links=(("hub", "embed"),), backs=(("e2", "embed"),)),
         "e2": _entry("e2", links=(("e1", "embed"),)), "s": _entry("s", links=(("v", "link"),), backs=(("f", "embed"),)),
         "f": _entry("f", links=(("s", "embed"),))}
HUB_BACKS = {**HUB, "backlinks": HUB["backlinks"][1:]}  # v hidden: the hub lost its backlink
CANDIDATES = [
    # the hub's backlinks panel moved, not its body: pages embedding it stay (they were thousands at 10,000)
    ("hidden, hub linked", {"v": {**V, "visibility": "draft"}, "hub": HUB_BACKS}, {"v"}, {"v", "hub", "s", "f"}),
    ("body edit", {"v": {**V, "hash": "h2"}}, set(), {"v"}),
    ("hub body edit", {"hub": {**HUB, "hash": "h2"}}, set(), {"hub", "e1", "e2"}),
    ("hub retitled", {"hub": {**HUB, "title": "U"}}, {"hub"}, {"hub", "v", "e1", "e2"}),
]


@pytest.mark.parametrize(("updated", "faces", "want"), [c[1:] for c in CANDIDATES], ids=[c[0] for c in CANDIDATES])
def test_candidates_follow_embeds_only_from_pages_whose_shown_body_moved(updated: dict, faces: set, want: set) -> None:
    assert candidates(_Index(WORLD), updated, {s: WORLD[s] for s in updated}, faces) == want
