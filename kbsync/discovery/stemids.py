"""Stems as ids shared by this process, and stem counts that carry their ids: the count matrix of 100,000 entries
is then put together from arrays (looking up 15 million stems one by one in the parent took most of a minute)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

_IDS: dict[str, int] = {}  # stem -> id in this process
STEMS: list[str] = []  # id -> stem (one string object per stem, shared by every entry's counts)


def ids(stems: Iterable[str]) -> np.ndarray:
    """Ids of `stems` (new ones get the next ids)."""
    stems = list(stems)
    got = np.fromiter(map(_IDS.get, stems, [-1] * len(stems)), dtype=np.int64, count=len(stems))
    if len(got) and got.min() < 0:
        for s in stems:
            if s not in _IDS:
                _IDS[s] = len(STEMS)
                STEMS.append(s)
        got = np.fromiter(map(_IDS.__getitem__, stems), dtype=np.int64, count=len(stems))
    return got


class StemCounts(Counter[str]):
    """Stem counts with their stem ids and counts as arrays, in key order (set once, by `of`; a copy or an
    unpickled one has none and is looked up again)."""

    arrays: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, gids: np.ndarray, counts: np.ndarray) -> StemCounts:
        out = cls(dict(zip(map(STEMS.__getitem__, gids.tolist()), counts.tolist(), strict=True)))
        out.arrays = (gids.astype(np.int32), counts.astype(np.int32))
        return out


def arrays(c: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(stem ids, counts) of one entry's counts, in key order."""
    got = getattr(c, "arrays", None)
    if got is not None:
        return got  # type: ignore[no-any-return]
    return ids(c), np.fromiter(c.values(), dtype=np.float64, count=len(c))
