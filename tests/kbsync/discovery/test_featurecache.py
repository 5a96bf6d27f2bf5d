"""Per-entry features at rest: a second process computes only the entries whose content moved."""
from __future__ import annotations

from pathlib import Path

import pytest

import kbsync
from kbsync.discovery.featurecache import FeatureCache
from kbsync.discovery.profile import Profile, Profiles
from kbsync.testing.corpus import ensure


def _same(a: Profile, b: Profile) -> bool:
    sig = (a.signature is None and b.signature is None) or (
        a.signature is not None and b.signature is not None and (a.signature == b.signature).all())
    return sig and (a.lang, dict(a.counts), a.plain) == (b.lang, dict(b.counts), b.plain)


@pytest.mark.parametrize("edited", [0, 1, 3])
def test_a_new_process_reads_unchanged_entries_from_the_cache(tmp_path: Path, edited: int) -> None:
    content, _ = ensure(tmp_path / "corpus", 40, planted=True)
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    cache_path = tmp_path / ".kb" / "discovery.sqlite"
    first = Profiles(FeatureCache(cache_path))
    before = first.get(kb.store.entries(), content, workers=1)
    assert first.computed == len(before)
    for f in sorted(content.rglob("*.md"))[:edited]:
        f.write_text(f.read_text(encoding="utf-8") + "\nKettlebell swings, 知识库 and café.\n", encoding="utf-8")
    kb.sync()
    again = Profiles(FeatureCache(cache_path))  # (as another process would: its memo empty)
    after = again.get(kb.store.entries(), content, workers=1)
    assert again.computed == edited
    fresh = Profiles().get(kb.store.entries(), content, workers=1)
    assert all(_same(after[s], fresh[s]) for s in fresh)
    kb.close()


@pytest.mark.parametrize("junk", [b"not a database at all" * 100, b""])
def test_an_unreadable_cache_means_computing(tmp_path: Path, junk: bytes, caplog: pytest.LogCaptureFixture) -> None:
    content, _ = ensure(tmp_path / "corpus", 30, planted=True)
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    path = tmp_path / "features.sqlite"
    cache = FeatureCache(path)
    Profiles(cache).get(kb.store.entries(), content, workers=1)
    cache.close()
    path.write_bytes(junk)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    try:
        broken: FeatureCache | None = FeatureCache(path)
    except Exception:
        broken = None
    p = Profiles(broken)
    got = p.get(kb.store.entries(), content, workers=1)
    assert p.computed == len(got) > 0
    kb.close()


def _steps(cache: FeatureCache, keys: list[tuple[str, str]]) -> int:
    """SQLite VM steps (in hundreds) one lookup costs."""
    n = [0]

    def tick() -> int:
        n[0] += 1
        return 0

    cache.db.set_progress_handler(tick, 100)
    got = cache.get_many(keys)
    cache.db.set_progress_handler(None, 100)
    assert set(got) == set(keys)
    return n[0]


@pytest.mark.parametrize("asked", [1, 3])
def test_a_lookup_walks_the_key_not_the_table(tmp_path: Path, asked: int) -> None:
    """Reading a few entries costs the same with 200 or 4,000 rows at rest (a row-value IN scanned them all)."""
    from collections import Counter

    import numpy as np

    prof = Profile("en", np.arange(64, dtype=np.uint32), Counter({"squat": 2}), (1, "a squat"))
    costs = []
    for rows in (200, 4000):
        cache = FeatureCache(tmp_path / f"f{rows}.sqlite")
        cache.put_many({(f"h{i}", f"p{i}.md"): prof for i in range(rows)})
        costs.append(_steps(cache, [(f"h{i}", f"p{i}.md") for i in range(asked)]))
    assert costs[1] <= costs[0] + 2, costs


def test_plain_texts_are_held_packed_and_stored_as_before(tmp_path: Path) -> None:
    """Profiles hold each entry's plain text compressed (discovery keeps them all for later edits' scans); the
    cache's rows keep their format ([first line, text]), so a cache an older kb wrote reads the same."""
    import sqlite3
    import zlib

    import orjson

    from kbsync.discovery.unlinked import plain_str, plain_text

    content, _ = ensure(tmp_path / "corpus", 30, planted=True)
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    entries = list(kb.store.entries())
    cache_path = tmp_path / "features.sqlite"
    got = Profiles(FeatureCache(cache_path)).get(entries, content, workers=1)
    plain = {r["slug"]: plain_text(content, r) for r in entries}
    texts = [p for p in got.values() if p.plain is not None]
    assert texts and all(type(p.plain[1]) is bytes for p in texts)
    assert {s: None if p.plain is None else (p.plain[0], plain_str(p.plain[1])) for s, p in got.items()} == plain
    rows = sqlite3.connect(cache_path).execute("SELECT value FROM features").fetchall()
    stored = [orjson.loads(zlib.decompress(v))[2] for (v,) in rows]
    assert sorted(map(tuple, filter(None, stored))) == sorted(filter(None, plain.values()))
    kb.close()
