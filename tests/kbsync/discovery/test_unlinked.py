"""Unlinked mentions: plain-text titles and aliases only, with file lines; visibility; one-edit updates."""
from __future__ import annotations

import pytest

from kbsync.discovery import unlinked as U

from .conftest import note, synced

TARGET = note("Deadlift", "# Deadlift\n\nA hip hinge.", aliases='["Conventional Pull"]')


@pytest.mark.parametrize("body, lines", [
    ("I did a Deadlift today.", [5]),
    ("i did a deadlift today.", [5]),  # case does not matter
    ("Line one.\n\nThe conventional pull felt heavy.", [7]),  # aliases count
    ("I did a [[Deadlift]] today.", []),  # linked
    ("I did a [[Squat|Deadlift]] today.", []),  # link text
    ("I did a [deadlift](Deadlift.md) today.", []),  # Markdown link
    ("Use `Deadlift` in code.", []),
    ("```\nDeadlift\n```", []),
    ("%% Deadlift in a comment %%", []),
    ("<!-- Deadlift -->", []),
    ("See https://example.com/Deadlift now", []),
    ("Deadlifts and Deadlifting are other words.", []),  # word boundaries
    ("RomanianDeadlift is one word.", []),
    ("Deadlift, and again: Deadlift.", [5]),  # one line, reported once
    ("# Notes\n\nA Deadlift.\n\nAnother Deadlift.", [7, 9]),
    ("## Deadlift\n\nSets and reps.", []),  # a heading names a section
    ("Deadlift\n========\n\nSets.", []),  # setext heading
])
def test_mentions(tmp_path, body: str, lines: list[int]) -> None:
    recs = synced(tmp_path, {"Deadlift.md": TARGET, "Log.md": note("Log", body)})
    got = U.find(recs, tmp_path / "content")
    assert [x["line"] for x in got.get("deadlift", [])] == lines
    assert all(x["source"] == "log" for x in got.get("deadlift", []))


@pytest.mark.parametrize("body, found", [
    ("今天练了硬拉，很累。", True),  # no word boundaries in CJK text
    ("硬拉是基础动作", True),
    ("今天练了深蹲。", False),
])
def test_cjk_mentions_need_no_word_boundaries(tmp_path, body: str, found: bool) -> None:
    recs = synced(tmp_path, {"硬拉.md": note("硬拉", "拉起杠铃。"), "日记.md": note("日记", body)})
    assert bool(U.find(recs, tmp_path / "content").get("硬拉")) is found


def test_a_name_inside_a_longer_name_belongs_to_the_longer_one(tmp_path) -> None:
    recs = synced(tmp_path, {"Deadlift.md": TARGET, "Romanian Deadlift.md": note("Romanian Deadlift", "RDL."),
                             "Log.md": note("Log", "A Romanian Deadlift, then a Deadlift.\n\nRomanian Deadlift only.")})
    got = U.find(recs, tmp_path / "content")
    assert got["romanian-deadlift"] == [{"source": "log", "line": 5}, {"source": "log", "line": 7}]
    assert got["deadlift"] == [{"source": "log", "line": 5}]


@pytest.mark.parametrize("hidden", ["Log.md", "Deadlift.md"])
@pytest.mark.parametrize("how", ["draft: true", "private: true", "publish: false"])
def test_hidden_sources_and_targets_never_appear(tmp_path, hidden: str, how: str) -> None:
    files = {"Deadlift.md": TARGET, "Log.md": note("Log", "A Deadlift today.")}
    k, v = how.split(": ")
    files[hidden] = files[hidden].replace("---\n", f"---\n{k}: {v}\n", 1)
    recs = synced(tmp_path, files)
    assert U.find(recs, tmp_path / "content") == {}
    assert U.find(recs, tmp_path / "content", viewer="owner" if k != "private" else "token") != {}


def test_one_edit_updates_like_a_rebuild(tmp_path) -> None:
    files = {"Deadlift.md": TARGET, "Squat.md": note("Squat", "Squat."),
             "Log.md": note("Log", "A Deadlift today."), "Other.md": note("Other", "Back Squat and Front Squat.")}
    recs = synced(tmp_path, files)
    idx = U.UnlinkedIndex(tmp_path / "content").build(recs)
    # Edit Log's text, and rename Squat to "Front Squat" (its name changes: Other is found again).
    files["Log.md"] = note("Log", "Nothing here.\n\nA Squat and a Front Squat.")
    files["Squat.md"] = note("Front Squat", "Squat.")
    recs2 = synced(tmp_path, files)
    by = {r["slug"]: r for r in recs2}
    idx.update([by["log"], by["squat"]])
    assert idx.result() == U.find(recs2, tmp_path / "content")
    assert idx.result()["squat"] == [{"source": "log", "line": 7}, {"source": "other", "line": 5}]
