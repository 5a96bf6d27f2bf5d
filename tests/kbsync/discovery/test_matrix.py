"""Stem counts as one matrix, and the per-row top-k, against plain Python sorting."""
from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from kbsync.discovery.matrix import Counts, top_per_row


def test_counts_columns_are_sorted_stems() -> None:
    m = Counts([Counter({"b": 2, "a": 1}), Counter(), Counter({"c": 1, "a": 3})])
    assert m.stems == ["a", "b", "c"]
    assert m.indptr.tolist() == [0, 2, 2, 4]
    assert [m.stems[j] for j in m.cols] == ["b", "a", "c", "a"]
    assert m.data.tolist() == [2, 1, 1, 3] and m.rows.tolist() == [0, 0, 2, 2]
    assert m.df().tolist() == [2, 1, 1]


@pytest.mark.parametrize("seed, k, high", [(s, k, h) for s in range(6) for k in (1, 3, 40) for h in (False, True)])
def test_top_per_row_matches_sorting(seed: int, k: int, high: bool) -> None:
    rnd = random.Random(seed)
    n = rnd.randint(1, 30)
    items = sorted((r, rnd.randint(0, 5), c) for r in range(n) for c in rnd.sample(range(60), rnd.randint(0, 12)))
    rows = np.array([r for r, _, _ in items], dtype=np.int64)
    score = np.array([s for _, s, _ in items], dtype=np.float64)  # few values: many ties
    cols = np.array([c for _, _, c in items], dtype=np.int64)
    got = top_per_row(rows, score, cols, k, n, high_cols_first=high)
    want = []
    for r in range(n):
        mine = [i for i, (x, _, _) in enumerate(items) if x == r]
        mine.sort(key=lambda i: (-items[i][1], -items[i][2] if high else items[i][2]))
        want += mine[:k]
    assert got.tolist() == want


@pytest.mark.parametrize("same, want_reused", [("objects", True), ("copies", False), ("fewer", False)])
def test_a_matrix_is_reused_only_for_the_very_counters_it_was_built_from(same: str, want_reused: bool) -> None:
    counters = [Counter({"a": 1}), Counter({"b": 2})]
    m = Counts(counters)
    other = {"objects": counters, "copies": [Counter(c) for c in counters], "fewer": counters[:1]}[same]
    assert (Counts.reuse(m, other) is m) == want_reused
