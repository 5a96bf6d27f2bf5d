"""Batched features equal the per-entry functions they replace: `duplicates.signature` and `terms.terms`, for
any mix of texts and languages in one batch; the count matrix is the same from batched or plain counts."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from kbsync.discovery import lang as L
from kbsync.discovery.duplicates import DupOptions, signature
from kbsync.discovery.features import batch
from kbsync.discovery.matrix import Counts
from kbsync.discovery.terms import terms

TEXTS = {
    "empty": ("", "en"),
    "short": ("two words", "en"),
    "nine words": ("one two three four five six seven eight nine", "en"),
    "one pair repeated": ("squat " * 40, "en"),
    "few distinct pairs": ("squat bench press " * 30, "en"),
    "prose": ("The heavy squats and the deadlifts build the legs; squatting twice a week, heavier each time, "
              "with pauses at depth and a slow tempo on the way down. " * 3, "en"),
    "german": ("Die Kniebeuge ist eine Übung für die Beine und den Rücken, und die Kniebeugen werden schwerer. " * 2, "de"),
    "chinese": ("深蹲是一种锻炼腿部力量的动作，深蹲的时候要注意膝盖的方向和背部的姿势。" * 3, "zh"),
    "stopwords only": ("the and of to in is it that was for on are as with " * 3, "en"),
}


def _expected(text: str, lang: str) -> tuple[np.ndarray | None, Counter[str]]:
    return signature(text), terms({"text": text}, lang)


@pytest.mark.parametrize("names", [[k] for k in TEXTS] + [list(TEXTS), list(reversed(TEXTS))],
                         ids=[*TEXTS, "all", "all reversed"])
def test_a_batch_equals_the_per_entry_features(names: list[str]) -> None:
    texts = [TEXTS[k] for k in names]
    sigs, counts = batch([L.segment(t.lower()) for t, _ in texts], [lang for _, lang in texts]).unpack()
    for name, (text, lang), sig, c in zip(names, texts, sigs, counts, strict=True):
        want_sig, want_counts = _expected(text, lang)
        assert (sig is None) == (want_sig is None), name
        if want_sig is not None:
            assert sig is not None and sig.dtype == np.uint32 and np.array_equal(sig, want_sig), name
        assert c == want_counts and dict(c) == dict(want_counts), name


@pytest.mark.parametrize("min_shingles", [2, 8, 30])
def test_the_too_short_rule_is_the_same(min_shingles: int) -> None:
    opts = DupOptions(min_shingles=min_shingles)
    texts = [" ".join(f"w{i % k}" for i in range(n)) for n in (5, 9, 20, 70, 200) for k in (1, 3, 10, 40)]
    sigs, _ = batch([L.segment(t) for t in texts], ["en"] * len(texts), opts).unpack()
    assert [s is None for s in sigs] == [signature(t, opts) is None for t in texts]


def test_the_count_matrix_is_the_same_from_batched_counts() -> None:
    texts = [TEXTS[k] for k in TEXTS]
    _, counts = batch([L.segment(t.lower()) for t, _ in texts], [lang for _, lang in texts]).unpack()
    plain = [Counter(dict(c)) for c in counts]
    a, b = Counts(counts), Counts(plain)
    assert a.stems == b.stems == sorted({s for c in plain for s in c})
    for x in ("cols", "data", "rows", "indptr"):
        assert np.array_equal(getattr(a, x), getattr(b, x)), x


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 14])
def test_signatures_do_not_depend_on_the_block_size(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbsync.discovery import features as F

    monkeypatch.setattr(F, "_PAIRS_PER_BLOCK", block)
    texts = [TEXTS[k] for k in TEXTS] * 2
    sigs, _ = batch([L.segment(t.lower()) for t, _ in texts], [lang for _, lang in texts]).unpack()
    for (text, _), sig in zip(texts, sigs, strict=True):
        want = signature(text)
        assert (sig is None and want is None) or (sig is not None and np.array_equal(sig, want))
