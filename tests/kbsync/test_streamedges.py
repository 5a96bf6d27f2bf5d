"""kbsync.streamedges: a raw edge row resolved by its key equals the edge the resolver gives from that file.

Answers are cached per key only when every folder gets the same one: an ambiguous target, a Markdown link
(relative) and an empty target (the file itself) must be answered per file."""
from __future__ import annotations

import pytest

from kbsync.resolve import Resolver
from kbsync.store.base import Edge
from kbsync.store.sqlite import edge_rows
from kbsync.streamedges import RowResolver
from kbsync.streamread import raw_rows
from kbsync.sync import _resolve_edge

NAMES = [("a/topic", "a/Topic.md", "Topic"), ("b/topic", "b/Topic.md", "Topic"), ("a/x", "a/x.md", "X"),
         ("b/y", "b/y.md", "Y"), ("people/ann", "people/ann.md", "Ann")]
ROWS = [{"slug": s, "path": p, "title": t, "aliases": [], "type": "person" if "people" in p else "note",
         "handle": "ann" if "people" in p else None} for s, p, t in NAMES]


def _edge(kind: str, target: str, md: bool = False) -> Edge:
    return Edge("", None, kind, f"[[{target}]]", target.lower(), 1, None, None, False, (), target, md)


# (target, kind, Markdown link): each is resolved from both folders, twice, in the order given
CASES = [
    ("Topic", "link", False),  # ambiguous: the closest of a/Topic and b/Topic wins, per folder
    ("x", "link", False),  # one candidate: the same answer from everywhere
    ("", "link", False),  # the file itself
    ("y.md", "link", True),  # relative to the folder: b/y from b, broken from a
    ("nowhere", "embed", False),
    ("ann", "mention", False),
    ("img.png", "embed", False),  # an attachment
]


@pytest.mark.parametrize("target, kind, md", CASES)
def test_rows_resolved_by_key_match_the_resolver(target: str, kind: str, md: bool) -> None:
    resolver = Resolver(ROWS, ["a/img.png"])
    by_key = RowResolver(resolver)
    for path in ("a/x.md", "b/y.md", "a/x.md", "b/y.md"):
        src = path[:-3]
        e = _edge(kind, target, md)._replace(src=src)
        rows, keys = raw_rows([e])
        got = by_key.rows(path, rows, keys)
        want = list(edge_rows({src: [_resolve_edge(tuple(e), path, resolver)]}))
        assert got == want, (path, got, want)


def test_only_answers_the_same_from_every_folder_are_kept_per_key() -> None:
    by_key = RowResolver(Resolver(ROWS, ["a/img.png"]))
    for path in ("a/x.md", "b/y.md"):
        for target, kind, md in CASES:
            rows, keys = raw_rows([_edge(kind, target, md)._replace(src=path[:-3])])
            by_key.rows(path, rows, keys)
    assert sorted(map(str, by_key.known)) == sorted(["x", "nowhere", "('@', 'ann')", "img.png"])
