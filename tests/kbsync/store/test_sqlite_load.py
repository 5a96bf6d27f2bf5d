"""A SQLite store's records streamed for a site build's load (kbsync/store/sqlite_load.py): what `entries()` gives."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from kbsync.store import open_store
from kbsync.store.base import Batch
from kbsync.store.sqlite_load import stream_entries
from tests.store.contract import edge, rec, seed

# Slugs whose orders disagree between naive readings: case, accents, CJK, an astral character, a prefix of another
ODD = ["B", "a", "a-b", "ab", "é", "z", "Ω", "中文", "𝔘", "a/b", "a/b/c", "Z9", "a b"]


def _links(slugs: list[str], rng: random.Random) -> dict[str, list[Any]]:
    """Links of every kind between the slugs, some broken, some to themselves, chapters in a shuffled order."""
    out: dict[str, list[Any]] = {}
    for s in slugs:
        es = []
        for seq in range(rng.randrange(0, 6)):
            kind = rng.choice(["link", "embed", "mention", "related", "chapter"])
            dst = rng.choice([*slugs, None, "no-such-entry"])
            es.append(edge(s, dst, kind, seq=seq))
        out[s] = es
    return out


def _odd(store: Any) -> None:
    rng = random.Random(16)
    vis = ["public", "public", "private", "draft"]
    store.apply(Batch(upserts=[rec(s, visibility=rng.choice(vis)) for s in ODD], edges=_links(ODD, rng)))


def _many(store: Any) -> None:
    rng = random.Random(7)
    slugs = [f"{rng.choice(['notes', 'People', 'ärger', '日記'])}/{i:03d}" for i in range(300)]
    store.apply(Batch(upserts=[rec(s, visibility=rng.choice(["public", "private"])) for s in slugs],
                      edges=_links(slugs, rng)))


@pytest.mark.parametrize("fill", [seed, _odd, _many, lambda store: None], ids=["contract", "odd slugs", "300", "empty"])
def test_streamed_records_are_entries_records_in_order(tmp_path: Path, fill: Any) -> None:
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    fill(store)
    want = list(store.entries())
    got = list(stream_entries(store))
    assert [r["slug"] for r in got] == [r["slug"] for r in want]
    assert got == want
    assert any(r["backlinks"] for r in want) or not want  # (the shapes do exercise backlinks)


def test_private_sources_never_become_backlinks(tmp_path: Path) -> None:
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    seed(store)  # c (private) and d (draft) link to a
    a = next(r for r in stream_entries(store) if r["slug"] == "a")
    assert {b["source"] for b in a["backlinks"]} == {"b"}


def test_a_sync_committed_mid_stream_is_not_half_seen(tmp_path: Path) -> None:
    """The three cursors read one snapshot: a batch another connection commits while the records stream (a `kb sync`
    beside a build's load) shows in none of them, so no record gets the new links of an entry it was read without."""
    url = f"sqlite://{tmp_path / 'kb.sqlite'}"
    store = open_store(url)
    _many(store)
    want = list(store.entries())
    it = stream_entries(store)
    got = [next(it)]
    writer = open_store(url)  # another connection, as another process's sync
    slugs = [r["slug"] for r in want]
    writer.apply(Batch(upserts=[rec(slugs[-1], title="Changed")],
                       edges={s: [edge(s, slugs[-1], "link", seq=9)] for s in slugs[1:]}))
    writer.close()
    got += list(it)
    assert got == want
    assert any(r["title"] == "Changed" for r in store.entries())  # the batch did land, after the stream
