"""Topics: untagged notes are grouped by what they say; hidden notes never shape or join a topic."""
from __future__ import annotations

import random

import pytest

from kbsync.discovery import topics as T

SUBJECTS = {"lifting": ["barbell", "squats", "deadlift", "plates", "spotter"],
            "baking": ["sourdough", "starter", "flour", "ovens", "crumb"],
            "garden": ["tomatoes", "compost", "seedlings", "mulch", "trellis"]}


def notes(hidden: str | None = None) -> list[dict]:
    r, out = random.Random(3), []
    filler = [f"word{i}x" for i in range(2000)]
    for subject, words in SUBJECTS.items():
        for i in range(6):
            text = " ".join(r.sample(words, 4) * 2 + [r.choice(filler) for _ in range(60)])
            out.append({"slug": f"{subject}{i}", "path": f"{subject}{i}.md", "text": text, "fields": {},
                        "tags": [], "visibility": "public"})
    if hidden:
        out.append({"slug": "secret", "path": "secret.md", "fields": {}, "visibility": hidden,
                    "text": " ".join(["canaryword"] * 10 + SUBJECTS["baking"])})
    return out


def test_untagged_notes_land_in_topics_by_subject() -> None:
    topics, by_entry = T.find(notes())
    assert len(by_entry) == 18  # every note has a topic
    for t in topics:
        assert len({e.rstrip("0123456789") for e in t["entries"]}) == 1, t  # one subject per topic
        assert len(t["entries"]) >= 3
    labels = " ".join(t["label"] for t in topics)
    assert "sourdough" in labels or "starter" in labels or "flour" in labels
    assert "squat" in labels or "barbel" in labels or "deadlift" in labels  # Snowball stems


def test_hidden_notes_never_reach_topics() -> None:
    topics, by_entry = T.find(notes("private"))
    assert "secret" not in by_entry and "canaryword" not in str(topics) and "secret" not in str(topics)


@pytest.mark.parametrize("block", [1, 5, 7, 4096])
def test_entry_stems_by_blocks_of_rows_are_the_corpus_ones(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scored a block of rows at a time (for memory), each entry's stems are what one pass over all gives, with
    keyword stems, short rows and rows with no stem worth keeping among them."""
    recs = notes() + [{"slug": "empty", "path": "empty.md", "text": "", "fields": {}, "visibility": "public"},
                      {"slug": "short", "path": "short.md", "text": "flour flour", "fields": {}, "visibility": "public"}]
    keywords = {"baking0": ["crumb structure"], "garden3": ["seed trays", "mulch"]}
    whole = T.entry_stems(recs, keywords, per_entry=6, min_entries=2)
    monkeypatch.setattr(T, "BLOCK", block)
    assert T.entry_stems(recs, keywords, per_entry=6, min_entries=2) == whole
    assert whole["baking0"][:2] == ["crumb", "structur"] and whole["empty"] == []
