"""Related entries: shared words and links, hidden entries never listed, one edit re-ranks like a rebuild."""
from __future__ import annotations

import random

import pytest

from kbsync.discovery import related as R

FILLER = [f"filler{i}x" for i in range(5000)]


def rec(slug: str, words: list[str], links=(), visibility: str = "public", seed: int = 0) -> dict:
    r = random.Random(f"{slug}-{seed}")  # str seeds are stable across processes, unlike hash()
    text = " ".join(words * 6 + [r.choice(FILLER) for _ in range(20)])
    return {"slug": slug, "path": slug + ".md", "title": slug, "text": text, "fields": {}, "visibility": visibility,
            "links": [{"target": t, "kind": "link"} for t in links]}


def corpus() -> list[dict]:
    lifts = ["barbell", "squat", "deadlift", "plates"]
    bread = ["sourdough", "starter", "flour", "oven"]
    recs = [rec(f"lift{i}", lifts[i % 4:] + lifts[:i % 4][:2]) for i in range(6)]
    recs += [rec(f"bread{i}", bread[i % 4:] + bread[:i % 4][:2]) for i in range(6)]
    return recs


def test_text_groups_entries_on_the_same_subject() -> None:
    res = R.find(corpus())
    for slug, rows in res.items():
        assert len(rows) == 5
        assert all(x["slug"][:4] == slug[:4] for x in rows), (slug, rows)
        assert rows == sorted(rows, key=lambda x: -x["score"])


@pytest.mark.parametrize("graph, linked_first", [(0.0, False), (0.6, True)])
def test_links_raise_the_score(graph: float, linked_first: bool) -> None:
    recs = corpus()
    recs[0]["links"] = [{"target": "bread3", "kind": "link"}]
    recs += [rec(f"x{i}", [], links=["lift0", "bread3"]) for i in range(3)]  # co-cited together
    top = R.find(recs, opts=R.RelatedOptions(graph=graph))["lift0"]
    assert (top[0]["slug"] == "bread3") is linked_first


@pytest.mark.parametrize("vis", ["draft", "private"])
def test_hidden_entries_are_never_related(vis: str) -> None:
    recs = corpus() + [rec("secret", ["barbell", "squat", "deadlift", "plates"], visibility=vis)]
    res = R.find(recs)
    assert "secret" not in res and "secret" not in str(res)


def test_one_edit_reranks_only_rows_it_can_move() -> None:
    others = {"garden": ["tomato", "compost", "seedling", "mulch"], "chess": ["rook", "bishop", "gambit", "endgame"],
              "music": ["violin", "sonata", "tempo", "chord"], "sail": ["jib", "tack", "mast", "keel"]}
    recs = corpus() + [rec(f"{k}{i}", ws[i % 4:] + ws[:i % 4][:2]) for k, ws in others.items() for i in range(12)]
    idx = R.RelatedIndex().build(recs)
    recs[2] = rec("lift2", ["sourdough", "starter", "flour", "oven"], seed=1)  # lift2 is now about bread
    moved = idx.update([recs[2]])
    # Lift and bread rows, rows sharing a word whose entry count moved, and rows listing any of those: not all.
    assert 12 <= moved < len(recs)
    assert idx.result() == R.RelatedIndex().build(recs).result()  # what a rebuild gives
    assert all(x["slug"].startswith("bread") for x in idx.result()["lift2"][:5])
    res = idx.result()
    assert any("lift2" in [x["slug"] for x in res[f"bread{i}"]] for i in range(6))  # others re-ranked too
    assert not any("lift2" in [x["slug"] for x in res[f"lift{i}"]][:1] for i in range(6) if i != 2)


@pytest.mark.parametrize("seed, top", [(s, t) for s in range(4) for t in (1, 5, 12)])
def test_top_lists_are_each_rows_best_scores(seed: int, top: int) -> None:
    """The vectorised ranking keeps each row's best `top` scores, ties by slug, as sorting the row would."""
    rnd = random.Random(seed)
    words = [f"w{i}" for i in range(30)]
    recs = [rec(f"e{i:02d}", rnd.sample(words, 4), links=[f"e{rnd.randrange(40):02d}"]) for i in range(40)]
    idx = R.RelatedIndex(R.RelatedOptions(top=top)).build(recs)
    scores = idx._scores(range(len(idx.slugs))).toarray()
    for i, s in enumerate(idx.slugs):
        row = sorted(((float(v), idx.slugs[j]) for j, v in enumerate(scores[i]) if j != i and v > 0),
                     key=lambda x: (-x[0], x[1]))[:top]
        assert idx.top[s] == [(o, round(v, 3)) for v, o in row], s


@pytest.mark.parametrize("rank_rows", [1, 5, 500])
def test_top_lists_do_not_depend_on_how_many_rows_are_scored_at_once(rank_rows: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are ranked RANK_ROWS at a time (a memory bound): every chunking gives the lists of one pass."""
    recs = corpus()
    recs[0]["links"] = [{"target": "bread3", "kind": "link"}]
    recs += [rec(f"x{i}", ["barbell", "oven"], links=["lift0", "bread3"]) for i in range(3)]
    whole = R.RelatedIndex().build(recs).result()
    monkeypatch.setattr(R, "RANK_ROWS", rank_rows)
    assert R.RelatedIndex().build(recs).result() == whole
