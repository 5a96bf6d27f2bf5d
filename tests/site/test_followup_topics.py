"""The topics page made from kept sections equals the page made afresh, whatever moved since they were kept."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from site_plugins.followup_topics import STATE, topics_pages
from site_plugins.index import SiteIndex
from site_plugins.topics import SiteDiscovery, topic_anchor


def _found(index: SiteIndex, topics: list[dict[str, Any]]) -> SiteDiscovery:
    found = SiteDiscovery.__new__(SiteDiscovery)
    found.index, found.topics = index, topics
    found.anchor = {str(t["label"]): topic_anchor(t) for t in topics}
    return found


def _index() -> SiteIndex:
    return SiteIndex.from_records([{"slug": s, "path": f"{s}.md", "title": s.upper()} for s in "abcdef"])


TOPICS = [{"id": 1, "label": "Alpha", "entries": ["a", "b", "c"]}, {"id": 2, "label": "Beta", "entries": ["d", "e"]}]


def _retitle(index: SiteIndex, topics: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    index.records["b"]["title"] = "Zed"  # sorts last in its topic now
    return topics, {"b"}


def _regroup(index: SiteIndex, topics: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    return [topics[0] | {"entries": ["a", "c"]}, topics[1] | {"entries": ["b", "d", "e"]}], set()


def _relabel(index: SiteIndex, topics: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    return [topics[0] | {"label": "Gamma"}, topics[1]], set()


def _emptied(index: SiteIndex, topics: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    return [topics[0], topics[1] | {"entries": []}, {"id": 3, "label": "New", "entries": ["f"]}], set()


@pytest.mark.parametrize("change", [_retitle, _regroup, _relabel, _emptied],
                         ids=["an entry retitled", "entries moved between topics", "a topic relabelled",
                              "a topic emptied, one added"])
def test_kept_sections_give_the_page_made_afresh(change) -> None:
    index = _index()
    b = SimpleNamespace(state={})
    first = _found(index, TOPICS)
    assert [p.markdown for p in topics_pages(b, first, set())] == [p.markdown for p in first.pages()]
    topics, moved = change(index, TOPICS)
    found = _found(index, topics)
    assert [p.markdown for p in topics_pages(b, found, moved)] == [p.markdown for p in found.pages()]
    assert len(b.state[STATE]) == sum(1 for t in topics if t["entries"])  # only the sections shown are kept


def test_a_section_nothing_moved_in_is_not_made_again(monkeypatch) -> None:
    index = _index()
    b = SimpleNamespace(state={})
    topics_pages(b, _found(index, TOPICS), set())
    made: list[str] = []
    real = SiteDiscovery.section
    monkeypatch.setattr(SiteDiscovery, "section", lambda self, t: made.append(t["label"]) or real(self, t))
    index.records["d"]["title"] = "Delta"
    topics_pages(b, _found(index, TOPICS), {"d"})
    assert made == ["Beta"]
