"""Stems as ids shared by this process, and stem counts that carry their ids: the count matrix of 100,000 entries
is then put together from arrays (looking up 15 million stems one by one in the parent took most of a minute)."""
from __future__ import annotations

import contextlib
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any

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


class StemCounts(Mapping[str, int]):
    """One entry's stem counts held as two int32 arrays (stem ids, counts) in key order, not as a dict: a Counter
    took ~4 KB an entry on top of its arrays (400 MB at 100,000 entries in discovery's process). Read-only; reads
    as the Counter it stands for (iteration order, equality, `Counter(c)`); pickled with its stems spelled out,
    since ids are this process's."""

    __slots__ = ("arrays",)

    def __init__(self, gids: np.ndarray, counts: np.ndarray) -> None:
        self.arrays = (gids.astype(np.int32), counts.astype(np.int32))

    @classmethod
    def of(cls, gids: np.ndarray, counts: np.ndarray) -> StemCounts:
        return cls(gids, counts)

    @classmethod
    def spelled(cls, stems: Iterable[str], counts: Iterable[int]) -> StemCounts:
        """From stems as strings (read from a cache or a pickle)."""
        return cls(ids(stems), np.fromiter(counts, dtype=np.int64))

    def _dict(self) -> dict[str, int]:
        gids, counts = self.arrays
        return dict(zip(map(STEMS.__getitem__, gids.tolist()), counts.tolist(), strict=True))

    def __getitem__(self, stem: str) -> int:
        i = _IDS.get(stem)
        hit = np.flatnonzero(self.arrays[0] == i) if i is not None else None
        if hit is None or not len(hit):
            raise KeyError(stem)
        return int(self.arrays[1][hit[0]])

    def __contains__(self, stem: object) -> bool:
        i = _IDS.get(stem) if isinstance(stem, str) else None
        return i is not None and bool((self.arrays[0] == i).any())

    def __iter__(self) -> Iterator[str]:
        return map(STEMS.__getitem__, self.arrays[0].tolist())

    def __len__(self) -> int:
        return len(self.arrays[0])

    # Views of a dict made for the call (C speed; set operations as a dict's): the Mapping mixins look every key up.
    def keys(self) -> KeysView[str]:
        return self._dict().keys()

    def items(self) -> ItemsView[str, int]:
        return self._dict().items()

    def values(self) -> ValuesView[int]:
        return self._dict().values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StemCounts):
            return self._dict() == other._dict()
        return self._dict() == other if isinstance(other, Mapping) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (as a dict's)

    def __repr__(self) -> str:
        return f"StemCounts({self._dict()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        gids, counts = self.arrays
        return StemCounts.spelled, ([STEMS[i] for i in gids.tolist()], counts.tolist())


_FROM: list[np.ndarray] = []  # while `reading` a pickle: the writer's stem ids -> this process's


def by_id(c: StemCounts) -> tuple[Any, ...]:
    """How a pickler whose stream carries the stem table (`table`, `reading`) pickles stem counts: its arrays as
    they are. Spelled out (`__reduce__`), each entry's stems made a list the pickler's memo kept alive to the end
    (~1.5 KB an entry while the kept discovery was pickled)."""
    return _by_id, (c.arrays,)


def _by_id(arrays: tuple[np.ndarray, np.ndarray]) -> StemCounts:
    return StemCounts(_FROM[-1][arrays[0]], arrays[1])


def table() -> list[str]:
    """The stems by id, to pickle before counts pickled `by_id`."""
    return list(STEMS)


@contextlib.contextmanager
def reading(stems: list[str]) -> Iterator[None]:
    """Counts pickled `by_id` by the process whose `table` was `stems` are read as this process's."""
    _FROM.append(ids(stems))
    try:
        yield
    finally:
        _FROM.pop()


def arrays(c: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(stem ids, counts) of one entry's counts, in key order."""
    got = getattr(c, "arrays", None)
    if got is not None:
        return got  # type: ignore[no-any-return]
    return ids(c), np.fromiter(c.values(), dtype=np.float64, count=len(c))
