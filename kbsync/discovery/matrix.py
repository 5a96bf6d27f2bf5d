"""Many entries' stem counts as one sparse matrix, and the per-row top-k the corpus passes need, in numpy: a
Python loop over every (entry, stem) pair cost seconds per pass at 100,000 entries."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import stemids


class Counts:
    """Rows: the given counters in order; columns: their stems in sorted order (so a column's number is its
    spelling's rank, which breaks ties as sorting by spelling does)."""

    def __init__(self, counters: Sequence[Mapping[str, float]]) -> None:
        self.source = list(counters)
        # Each entry's stems as this process's stem ids (arrays the profiles carry), then ranked by spelling.
        parts = [stemids.arrays(c) for c in counters]
        lens = np.fromiter((len(p[0]) for p in parts), dtype=np.int64, count=len(parts))
        # Positions as int32 (a stem id, a column, a row are far below 2**31), and the counts as the profiles hold
        # them (int32; float64 only when some counter has a boosted keyword): 12 bytes a pair, not 24 (15 million
        # pairs at 100,000 entries, held through related entries and topics). Readers take `np.log` of the counts,
        # which is float64 and the same value either way.
        gids = np.concatenate([p[0] for p in parts]).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)
        self.data = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.float64)
        if self.data.dtype.kind not in "iu":
            self.data = self.data.astype(np.float64)
        used = np.unique(gids)
        names = [stemids.STEMS[i] for i in used.tolist()]
        order = sorted(range(len(names)), key=names.__getitem__)
        self.stems = [names[i] for i in order]
        rank = np.empty(len(used), dtype=np.int32)
        rank[order] = np.arange(len(used), dtype=np.int32)
        lut = np.zeros(int(used[-1]) + 1 if len(used) else 0, dtype=np.int32)
        lut[used] = rank
        self.cols = lut[gids]
        self.indptr = np.zeros(len(counters) + 1, dtype=np.int64)
        np.cumsum(lens, out=self.indptr[1:])
        self.rows = np.repeat(np.arange(len(counters), dtype=np.int32), lens)

    def of(self, counters: Sequence[Mapping[str, float]]) -> bool:
        """Built from exactly these counter objects, in this order (so one matrix serves several passes)."""
        return len(counters) == len(self.source) and all(a is b for a, b in zip(counters, self.source, strict=True))

    @staticmethod
    def reuse(given: Counts | None, counters: Sequence[Mapping[str, float]]) -> Counts:
        """`given` when built from `counters`, else a new matrix of them."""
        return given if given is not None and given.of(counters) else Counts(counters)

    def df(self) -> np.ndarray:
        """Entries holding each stem (column)."""
        return np.bincount(self.cols, minlength=len(self.stems))


def top_per_row(rows: np.ndarray, score: np.ndarray, cols: np.ndarray, k: int, n_rows: int,
                high_cols_first: bool = False) -> np.ndarray:
    """Positions of each row's `k` best items, best first: highest score, ties to the lower column (the higher
    with `high_cols_first`). `rows` must be ascending."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    near = _near_top(rows, score, k, n_rows)
    if near is not None:
        return near[_exact(rows[near], score[near], cols[near], k, n_rows, high_cols_first)]
    return _exact(rows, score, cols, k, n_rows, high_cols_first)


def _exact(rows: np.ndarray, score: np.ndarray, cols: np.ndarray, k: int, n_rows: int,
           high_cols_first: bool) -> np.ndarray:
    tie = -cols if high_cols_first else cols
    order = np.lexsort((tie, -score, rows))  # by row, then score descending, then the tie rule
    starts = np.searchsorted(rows[order], np.arange(n_rows), side="left")
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    return order[rank < k]


def _near_top(rows: np.ndarray, score: np.ndarray, k: int, n_rows: int) -> np.ndarray | None:
    """Positions scoring at least their row's k-th best distinct score (ties included, so a superset of each
    row's top k), from k passes of a per-row maximum below the last; None when no row has more than k items.
    The exact sort then orders a few items per row instead of every one."""
    lens = np.bincount(rows, minlength=n_rows)
    if lens.max() <= k:
        return None
    full = np.nonzero(lens)[0]
    starts = (np.cumsum(lens) - lens)[full]
    cut = np.full(n_rows, np.inf, dtype=score.dtype)
    for _ in range(k):
        below = np.where(score < cut[rows], score, -np.inf)
        cut = np.full(n_rows, -np.inf, dtype=score.dtype)
        cut[full] = np.maximum.reduceat(below, starts)
    return np.nonzero(score >= cut[rows])[0]
