"""The search index a follow-up writes from its cached per-entry JSON is byte for byte the file Material writes."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from material.plugins.search.plugin import SearchIndex

from site_plugins.followup_outputs import drop_pages, patch_search_index

CONFIG = {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"],
          "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}}}


def _entry(url: str, n: int, text: str = "") -> dict:
    return {"location": f"{url}#s{n}" if n else url, "title": f"Ünïcode “{url}” {n}", "text": text or f"<p>{n} & more</p>",
            "tags": ["a", "b"]}


class _Search:
    """A search plugin as the follow-up sees one: its index."""

    def __init__(self, index: Any) -> None:
        self.search_index = index


# (pages re-rendered, entries their render appended, pages dropped from the index before the render)
EDITS = [
    ("one page", {"b/"}, [_entry("b/", 0, "new"), _entry("b/", 1, "new")], set()),
    ("two pages, one loses a section", {"a/", "c/"}, [_entry("c/", 0, "x"), _entry("a/", 0, "y")], set()),
    ("a page dropped", set(), [], {"b/"}),
    ("nothing re-rendered", set(), [], set()),
]


@pytest.mark.parametrize("via", ["drop_pages", "a new list"])  # the follow-up's drop; any other (a dirty build's)
@pytest.mark.parametrize(("urls", "added", "dropped"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_patched_search_index_is_what_material_writes(tmp_path: Path, urls: set[str], added: list, dropped: set[str],
                                                      via: str) -> None:
    index = SearchIndex(**CONFIG)
    index.entries = [_entry(u, n) for u in ("a/", "b/", "c/") for n in range(3)]
    plugin = _Search(index)
    config = SimpleNamespace(site_dir=str(tmp_path))
    (tmp_path / "search").mkdir()
    out = tmp_path / "search" / "search_index.json"
    for _round in range(3):  # the second and third rounds reuse the JSON cached by the one before
        if via == "drop_pages":
            drop_pages(index, dropped)
        else:
            index.entries = [e for e in index.entries if e["location"].split("#")[0] not in dropped]
        before = {plugin: list(index.entries)}
        index.entries.extend(dict(e) for e in added)  # what rendering the pages appends
        patch_search_index(config, before, urls, write=bool(dropped))
        if not urls and not dropped:
            assert not out.exists()
            continue
        assert [e["location"] for e in index.entries] == [
            e["location"] for e in before[plugin] if e["location"].split("#")[0] not in urls] + [
            e["location"] for e in added]
        assert out.read_text(encoding="utf-8") == index.generate_search_index(None)
