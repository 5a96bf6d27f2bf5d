"""Near-duplicates: names (rapidfuzz) and bodies (MinHash/LSH), silenced pairs, visibility, one-edit updates."""
from __future__ import annotations

import random

import pytest

from kbsync.discovery import duplicates as D

WORDS = [f"w{i}x" for i in range(3000)]


def body(seed: int, n: int = 120) -> str:
    r = random.Random(seed)
    return " ".join(r.choice(WORDS) for _ in range(n))


def changed(text: str, share: float, seed: int = 1) -> str:
    r = random.Random(seed)
    return " ".join(r.choice(WORDS) if r.random() < share else w for w in text.split())


def rec(slug: str, title: str, text: str = "", aliases=(), visibility: str = "public", **fields) -> dict:
    return {"slug": slug, "path": slug + ".md", "title": title, "aliases": list(aliases), "text": text,
            "visibility": visibility, "fields": fields}


@pytest.mark.parametrize("a, b, reason", [
    (rec("a", "Deadlift", body(1)), rec("b", "Deadlift", body(2)), "title 100%"),
    (rec("a", "Forest Stone", body(1)), rec("b", "Forest Stones", body(2)), "title 96%"),
    (rec("a", "Forest Stone", body(1)), rec("b", "The forest stone", body(2)), "title 100%"),
    (rec("a", "Squat", body(1), aliases=["Back Squat"]), rec("b", "Back Squat", body(2)), "alias 100%"),
    (rec("a", "Kettlebell Swing", body(1)), rec("b", "Kettlebell Swnig", body(1)), "title 94%, body 1.00"),
    (rec("a", "Alpha Note", body(5)), rec("b", "Zulu Memo", changed(body(5), 0.1)), "body"),
])
def test_pairs_found(a: dict, b: dict, reason: str) -> None:
    res = D.find([a, b])
    assert [x["slug"] for x in res["a"]] == ["b"] and [x["slug"] for x in res["b"]] == ["a"]
    assert res["a"][0]["reason"].startswith(reason) or reason in res["a"][0]["reason"], res["a"][0]["reason"]
    assert 0 < res["a"][0]["score"] <= 1


@pytest.mark.parametrize("a, b", [
    (rec("a", "Deadlift", body(1)), rec("b", "Romanian Deadlift", body(2))),
    (rec("a", "Lainwu Nundthyrstak", body(1)), rec("b", "Laind Nundthyrstak", body(2))),  # close names, other bodies
    (rec("a", "Alpha Note", body(5)), rec("b", "Zulu Memo", body(6))),
    (rec("a", "Empty", ""), rec("b", "Blank", "")),  # empty bodies are not copies of each other
    (rec("a", "Tiny", "one two three"), rec("b", "Small", "one two three")),
])
def test_pairs_not_found(a: dict, b: dict) -> None:
    assert D.find([a, b]) == {}


@pytest.mark.parametrize("field", ['["[[Deadlift 2]]"]', "[[Deadlift 2]]", '["[[b]]"]'])
def test_not_duplicate_of_silences_the_pair(field: str) -> None:
    import yaml

    value = yaml.safe_load(f"x: {field}")["x"]
    a = rec("a", "Deadlift", body(1), not_duplicate_of=value)
    b = rec("b", "Deadlift 2", body(1))
    assert D.find([a, b]) == {}
    assert D.find([dict(a, fields={}), b])  # without it they are duplicates


@pytest.mark.parametrize("vis", ["draft", "private", None, "weird"])
def test_hidden_entries_never_appear(vis: str | None) -> None:
    a, b = rec("a", "Deadlift", body(1)), rec("secret", "Deadlift", body(1), visibility=vis)
    assert D.find([a, b]) == {}
    assert "secret" in str(D.find([a, b], viewer="owner")) or vis in (None, "weird")


def test_one_edit_updates_like_a_rebuild() -> None:
    recs = [rec(f"n{i}", f"Note {i} {WORDS[i]}", body(i)) for i in range(60)]
    idx = D.DuplicateIndex().build(recs)
    assert idx.result() == {}
    copy = rec("n7", "Note 7 copy", changed(recs[3]["text"], 0.1))  # n7 becomes a copy of n3
    recs[7] = copy
    idx.update([copy])
    assert idx.result() == D.find(recs)
    assert [x["slug"] for x in idx.result()["n3"]] == ["n7"]
    idx.update(deleted=["n7"])
    assert idx.result() == {}


@pytest.mark.parametrize("title, want", [
    ("Back Squat", [("squat", "alias 100%")]),
    ("deadlift", [("deadlift", "title 100%")]),
    ("The Deadlifts", [("deadlift", "title 94%")]),
    ("Bench Press", []),
    ("Secret Plan", []),  # a draft's title is never offered
])
def test_similar_titles_for_a_form(title: str, want: list[tuple[str, str]]) -> None:
    recs = [rec("squat", "Squat", body(1), aliases=["Back Squat"]), rec("deadlift", "Deadlift", body(2)),
            rec("plan", "Secret Plan", body(3), visibility="draft")]
    got = D.DuplicateIndex().build(recs).similar(title)
    assert [(x["slug"], x["reason"]) for x in got] == want


@pytest.mark.parametrize("words, compared", [
    (["a"] * 500, False),  # one distinct pair, however long
    (["a", "b", "c", "d"] * 100, False),  # four distinct pairs
    ([f"w{i % 9}" for i in range(200)], True),  # nine distinct pairs: enough, found past the first 64 too
    ([f"w{i}" for i in range(8)], False), ([f"w{i}" for i in range(9)], True),  # 8 words, 9 words: 8 pairs
])
def test_a_body_too_small_to_compare_has_no_signature(words: list[str], compared: bool) -> None:
    from kbsync.discovery.duplicates import signature

    assert (signature(" ".join(words)) is not None) == compared
