"""Per-entry discovery features at rest, by content hash and path (`.kb/discovery.sqlite`, beside the keyword
cache): the site build, `kb serve`, the API and `kb check` each build discovery, and none recomputes an entry
another process already profiled."""
from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import orjson

from .stemids import StemCounts
from .unlinked import pack_plain, plain_str

if TYPE_CHECKING:
    from .profile import Profile

# Bump when what a profile holds, or how it is computed, changes: older rows are then never read.
VERSION = "1"
SCHEMA = """CREATE TABLE IF NOT EXISTS features (hash TEXT NOT NULL, path TEXT NOT NULL, version TEXT NOT NULL,
  sig BLOB, value BLOB NOT NULL, PRIMARY KEY (hash, path, version))"""
Key = tuple[str, str]  # (content hash, path)


class FeatureCache:
    """Profiles by (content hash, path). SQLite, one table; the plain text is stored compressed."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(SCHEMA)

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Profile]:
        from .profile import Profile

        want = set(keys)
        hashes = sorted({h for h, _ in want})
        out: dict[Key, Profile] = {}
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            # `hash IN (...)` walks the primary key; a row-value `(hash, path) IN (VALUES ...)` scanned the whole
            # table once per chunk (minutes at 100,000 entries).
            q = f"SELECT hash, path, sig, value FROM features WHERE hash IN ({','.join('?' * len(chunk))}) AND version=?"
            for h, p, sig, value in self.db.execute(q, [*chunk, VERSION]):
                if (h, p) not in want:
                    continue
                lang, counts, plain = orjson.loads(zlib.decompress(value))
                out[(h, p)] = Profile(lang, None if sig is None else np.frombuffer(sig, dtype=np.uint32).copy(),
                                      StemCounts.spelled(counts, counts.values()),
                                      None if plain is None else pack_plain((int(plain[0]), plain[1])))
        return out

    def put_many(self, values: Mapping[Key, Profile]) -> None:
        # Made as SQLite takes them (a generator, not a list: every entry's compressed row at once was a transient of
        # ~1.3 KB an entry in the discovery process, left in the allocator's free lists).
        rows = ((h, p, VERSION, None if v.signature is None else v.signature.astype(np.uint32).tobytes(),
                 zlib.compress(orjson.dumps([v.lang, dict(v.counts.items()), _plain_row(v.plain)]), 1))
                for (h, p), v in values.items())
        # One transaction (the connection is in autocommit mode: `with db` alone would commit row by row).
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("INSERT OR REPLACE INTO features VALUES (?,?,?,?,?)", rows)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()


def _plain_row(plain: tuple[int, str | bytes] | None) -> list[object] | None:
    """The row's plain text as it always was: [first line, text] (held packed in memory: unlinked.pack_plain)."""
    return None if plain is None else [plain[0], plain_str(plain[1])]
