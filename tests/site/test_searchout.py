"""search_index.json streamed (site_plugins/searchout.py): the very bytes Material's plugin writes."""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from material.plugins.search.plugin import SearchIndex

from site_plugins.searchout import index_parts, write_index

CONFIG = {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stemmer"], "fields": {"title": {"boost": 1000}},
          "enabled": True}


def _index(locations: list[str], text: str = "t") -> SearchIndex:
    index = SearchIndex(**CONFIG)
    index.entries = [{"location": loc, "title": loc.upper(), "text": text} for loc in locations]
    return index


ENTRIES: list[tuple[str, list[dict[str, Any]]]] = [
    ("none", []),
    ("one", [{"location": "a/", "title": "A", "text": ""}]),
    ("unicode and quotes", [{"location": "zh/深蹲/", "title": "深蹲 \"squat\"", "text": "<p>é\\n</p>\u2028"},
                            {"location": "b/#x", "title": "B", "text": "x", "tags": ["a", "b"]}]),
    ("not JSON values (default=str)", [{"location": "d/", "title": "D", "date": datetime.date(2026, 1, 2),
                                        "boost": 1.5, "none": None}]),
]


@pytest.mark.parametrize("name, docs", ENTRIES)
def test_written_bytes_equal_materials(name: str, docs: list[dict[str, Any]], tmp_path: Path) -> None:
    index = SearchIndex(**CONFIG)
    index.entries = docs
    want = index.generate_search_index(None).encode("utf-8")
    path = tmp_path / "search" / "search_index.json"
    settings, got_docs = index_parts(index, None)
    write_index(str(path), settings, got_docs)
    assert path.read_bytes() == want, name
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    assert [p.name for p in path.parent.iterdir()] == ["search_index.json"]  # no temporary file left


@pytest.mark.parametrize("name, now, prev", [
    ("full build", ["a/", "b/"], None),
    ("dirty reload of one page", ["b/"], ["a/", "b/", "b/#h", "c/"]),
    ("dirty build, no page rendered", [], ["a/", "c/"]),
])
def test_merge_with_the_previous_index_is_materials(name: str, now: list[str], prev: list[str] | None,
                                                    tmp_path: Path) -> None:
    ours, theirs = _index(now, "new"), _index(now, "new")
    before = _index(prev, "old") if prev is not None else None
    want = theirs.generate_search_index(before).encode("utf-8")
    path = tmp_path / "search_index.json"
    write_index(str(path), *index_parts(ours, before))
    assert path.read_bytes() == want, name
    assert ours.entries == theirs.entries  # the merged entries stay on the index, as Material leaves them


def test_a_build_never_makes_the_index_one_string(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kb plugin routes Material's search index writing through searchout (at 100,000 entries the one
    string and its bytes were ~500 MB at the build's peak)."""
    import json

    from kbsite import ROOT, build

    def whole(self: SearchIndex, prev: Any) -> str:
        raise AssertionError("search index serialised whole")

    monkeypatch.setattr(SearchIndex, "generate_search_index", whole)
    site = build(ROOT / "content", tmp_path / "site")
    docs = json.loads((site.out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert len({d["location"].split("#")[0] for d in docs}) > 10
