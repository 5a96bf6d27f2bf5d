"""PackedContexts: the backlink contexts a site build holds, packed per target, read as the dicts they were."""
from __future__ import annotations

import pickle

import pytest

from kbsync.view.discovery import PackedContexts, backlink_contexts


def _rec(slug: str, text: str, *targets: str) -> dict:
    return {"slug": slug, "text": text, "links": [{"target": t, "kind": "link", "raw": t.title()} for t in targets]}


RECS = [_rec("a", "First about B here. Then C too. «Ünïcode» C.", "b", "c"), _rec("b", "B points at C now.", "c"),
        _rec("c", "Nothing linked."), _rec("d", "D mentions B once.", "b")]
PLAIN = backlink_contexts(RECS)


def test_reads_as_the_dicts_it_packed() -> None:
    packed = PackedContexts.of(PLAIN)
    assert dict(packed) == PLAIN and len(packed) == len(PLAIN) and set(packed) == set(PLAIN)
    assert packed.get("c") == PLAIN["c"] and packed.get("nobody") is None and "nobody" not in packed
    assert PackedContexts.of(packed) is packed
    again = pickle.loads(pickle.dumps(packed))  # sent from the process that cut them: still packed, equal
    assert isinstance(again, PackedContexts) and again == packed and dict(again) == PLAIN


CHANGES = [  # (id, targets whose contexts differ, the other side's records)
    ("same", set(), RECS),
    ("a sentence moved", {"b"}, [_rec("a", "Now B is elsewhere. Then C too. «Ünïcode» C.", "b", "c"), *RECS[1:]]),
    ("a source gone", {"b"}, RECS[:3]),
    ("a target gained one", {"a"}, [*RECS, _rec("e", "E links A.", "a")]),
]


@pytest.mark.parametrize(("want", "other"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_changed_names_the_targets_whose_contexts_differ(want: set[str], other: list[dict]) -> None:
    a, b = PackedContexts.of(PLAIN), PackedContexts.of(backlink_contexts(other))
    assert a.changed(b) == want == b.changed(a)
    assert (a == b) == (not want)


def test_equal_contexts_in_another_order_are_not_changed() -> None:
    reordered = {t: dict(reversed(list(got.items()))) for t, got in reversed(list(PLAIN.items()))}
    assert PackedContexts.of(PLAIN).changed(PackedContexts.of(reordered)) == set()


UPDATES = [  # (id, sources dropped, records cut again)
    ("a source's text edited", {"a"}, [_rec("a", "Now B is elsewhere. And C.", "b", "c")]),
    ("a source removed", {"b"}, []),
    ("a source added", set(), [_rec("e", "E links A and B.", "a", "b")]),
    ("a link removed", {"a"}, [_rec("a", "First about B here.", "b")]),
]


@pytest.mark.parametrize(("dropped", "fresh"), [u[1:] for u in UPDATES], ids=[u[0] for u in UPDATES])
def test_updated_equals_a_full_cut_and_leaves_the_old_as_it_was(dropped: set[str], fresh: list[dict]) -> None:
    old = PackedContexts.of(PLAIN)
    now = [r for r in RECS if r["slug"] not in dropped | {f["slug"] for f in fresh}] + fresh
    by_slug = {r["slug"]: r for r in RECS}
    gone = {s: {ln["target"] for ln in by_slug[s]["links"]} for s in dropped}
    got = old.updated(gone, backlink_contexts(fresh))
    assert dict(got) == backlink_contexts(now)
    assert dict(old) == PLAIN
    untouched = set(PLAIN) - {t for ts in gone.values() for t in ts} - {ln["target"] for r in fresh for ln in r["links"]}
    assert all(got._raw[t] is old._raw[t] for t in untouched)  # shared, not packed again


def test_packed_is_smaller_than_the_dicts() -> None:
    text = " ".join(f"Sentence {i} names [[B]] in passing, with enough words to be a sentence." for i in range(3))
    recs = [_rec(f"s{i}", text, "b", "c") for i in range(300)]
    plain = backlink_contexts(recs)
    packed = PackedContexts.of(plain)
    assert len(pickle.dumps(packed._raw)) * 2 < len(pickle.dumps(plain))
