"""Entry JSON's discovery fields (keywords, topics, related, duplicates, unlinked) and backlink context, per
viewer: the owner and the token see hidden entries' part, the public never does."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kbsync
from kbsync.export import entry_json
from kbsync.view.discovery import backlink_contexts, sentence_around
from tests.discovery_sample import CANARY, HIDDEN, make


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("disc")
    kb = kbsync.open(make(root), f"sqlite://{root / 'kb.sqlite'}")
    kb.sync()
    yield kb
    kb.close()


@pytest.mark.parametrize("text, needle, expected", [
    ("One. See Squat for cues. Two.", "Squat", "See Squat for cues."),
    ("Main lifts: Squat,\nDeadlift and more.\nNext", "Squat", "Main lifts: Squat, Deadlift and more."),
    ("Heading\nSquat is here", "Squat", "Squat is here"),
    ("深蹲是基础动作，英文叫 Squat。硬拉也是。", "Squat", "深蹲是基础动作，英文叫 Squat。"),
    ("no match here", "Squat", None),
    ("lower squat works", "Squat", "lower squat works"),
    ("", "", None),
    ("See Squat ^drive for it^[an inline note] and[^1] more. Next", "Squat ^drive", "See Squat for it and more."),
    ("Click Squat: ^[Except when", "Squat", "Click Squat:"),
])
def test_sentence_around(text: str, needle: str, expected: str | None) -> None:
    assert sentence_around(text, needle) == expected


def test_a_long_sentence_is_trimmed_around_the_link() -> None:
    s = sentence_around("word " * 200 + "Squat " + "word " * 200 + ".", "Squat")
    assert s is not None and "Squat" in s and len(s) <= 242 and s.startswith("…") and s.endswith("…")


def test_a_footnote_with_a_full_stop_stays_out_of_the_context() -> None:
    recs = [{"slug": "a", "text": "Click B: it works.^[Except when\nit does not. Really.] Next.",
             "links": [{"target": "b", "kind": "link", "raw": "[[B]]"}]}]
    assert backlink_contexts(recs) == {"b": {("a", "link"): "Click B: it works."}}


def test_context_comes_from_body_links_only() -> None:
    recs = [{"slug": "a", "text": "Go to B now. Rest.", "links": [
        {"target": "b", "kind": "link", "raw": "[[B]]"}, {"target": "b", "kind": "related", "raw": "[[B]]"},
        {"target": "a", "kind": "link", "raw": "[[A]]"}, {"target": None, "kind": "link", "raw": "[[Gone]]"}]}]
    assert backlink_contexts(recs) == {"b": {("a", "link"): "Go to B now."}}


def _doors(kb: Any, viewer: str) -> str:
    return json.dumps([*kb.entries(viewer=viewer), kb.duplicates(viewer=viewer), kb.topics(viewer=viewer),
                       kb.duplicates("Squat", viewer=viewer)], ensure_ascii=False)


def test_public_entry_json_carries_discovery_and_no_canary(kb: Any) -> None:
    squat = kb.get("squat")
    assert {"keywords", "topics", "related", "duplicates", "unlinked"} <= set(squat)
    assert [x["slug"] for x in squat["duplicates"]] == ["squats"]
    assert squat["duplicates"][0]["reason"].startswith("title") and squat["duplicates"][0]["score"] >= 0.9
    assert {"source": "training-log", "line": 5} in squat["unlinked"]
    assert {x["slug"] for x in squat["related"]} >= {"squats", "squat-rack"} and len(squat["related"]) <= 5
    ctx = {(b["source"], b["kind"]): b["context"] for b in squat["backlinks"]}
    assert ctx == {("squat-rack", "link"): "Set the safeties for a Squat session first.",
                   ("training-log", "link"): "See the squat page for cues."}
    everything = _doors(kb, "public")
    assert CANARY not in everything and CANARY.lower() not in everything


@pytest.mark.parametrize("viewer, seen", [("public", set()), ("token", {f"{CANARY.lower()}-private"}),
                                          ("owner", HIDDEN)])
def test_each_viewer_sees_exactly_its_own_hidden_entries(kb: Any, viewer: str, seen: set[str]) -> None:
    squat = kb.get("squat", viewer=viewer)
    named = ({x["slug"] for x in squat["related"] + squat["duplicates"]} | {x["source"] for x in squat["unlinked"]}
             | {b["source"] for b in squat["backlinks"]})
    assert named & HIDDEN == seen
    similar = {x["slug"] for x in kb.duplicates(f"{CANARY} Private Squat", viewer=viewer)}
    assert similar & HIDDEN == seen & {f"{CANARY.lower()}-private"}


@pytest.mark.parametrize("sees", [None, lambda s: s == "b"])
def test_entry_json_drops_discovery_rows_naming_entries_the_viewer_cannot_see(sees: Any) -> None:
    rec = {"slug": "a", "path": "a.md", "title": "A", "visibility": "public", "keywords": ["k"]}
    found = {"keywords": ["k"], "topics": ["t"], "related": [{"slug": "b", "score": 0.5}, {"slug": "h", "score": 0.9}],
             "duplicates": [{"slug": "h", "score": 1.0, "reason": "title 100%"}],
             "unlinked": [{"source": "h", "line": 3}, {"source": "b", "line": 2}], "contexts": {("h", "link"): "x"}}
    out = entry_json(rec, "public", sees, found)
    assert out is not None and out["keywords"] == ["k"] and out["topics"] == ["t"] and out["duplicates"] == []
    assert out["related"] == ([{"slug": "b", "score": 0.5}] if sees else [])
    assert out["unlinked"] == ([{"source": "b", "line": 2}] if sees else [])


def test_without_discovery_the_fields_are_still_there(tmp_path: Path) -> None:
    out = entry_json({"slug": "a", "path": "a.md", "title": "A", "visibility": "public"}, "public")
    assert out is not None and all(out[k] == [] for k in ("keywords", "topics", "related", "duplicates", "unlinked"))


def test_related_and_topics_methods(kb: Any) -> None:
    assert kb.related("squat") == kb.get("squat")["related"]
    assert kb.related(f"{CANARY.lower()}-draft") == [] and kb.related("no-such") == []
    assert kb.related(f"{CANARY.lower()}-draft", viewer="owner")  # the owner's tool sees drafts' neighbours
    for t in kb.topics():
        assert set(t["entries"]) <= {e["slug"] for e in kb.entries()}
