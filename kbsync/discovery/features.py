"""Per-entry features of many entries at once: each word becomes an id once per process, and a whole batch's
MinHash signatures and stem counts come out of a few numpy passes (numpy calls, Snowball calls and Counters per
entry were most of a cold 100,000-entry build). Same values as `duplicates.signature` and `related.terms`."""
from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import chain
from typing import NamedTuple

import numpy as np

from . import lang as L
from . import stemids
from .duplicates import _M32, DupOptions, _mix, _perms
from .stemids import STEMS, StemCounts
from .terms import _stop

_IDS: dict[str, int] = {}  # word -> id (this process's; ids never travel between processes)
_HASH = np.zeros(0, dtype=np.uint64)  # id -> crc32 of the word (what `signature` hashes)
_KEEP: dict[str, np.ndarray] = {}  # lang -> word id -> stem id (-1: dropped, -2: not decided yet)
_PAIRS_PER_BLOCK = 1 << 14  # pairs hashed per numpy pass (64 permutations x this many uint32: 4 MB, in cache)


def word_ids(words: list[str]) -> np.ndarray:
    """Ids of `words` (new words get the next ids, and their hashes)."""
    global _HASH
    ids = np.fromiter(map(_IDS.get, words, [-1] * len(words)), dtype=np.int64, count=len(words))
    if len(ids) and ids.min() < 0:
        new = [w for w in dict.fromkeys(words) if w not in _IDS]
        start = len(_IDS)
        _IDS.update(zip(new, range(start, start + len(new)), strict=True))
        _HASH = np.concatenate([_HASH, np.fromiter(map(zlib.crc32, map(str.encode, new)), dtype=np.uint64,
                                                   count=len(new))])
        ids = np.fromiter(map(_IDS.__getitem__, words), dtype=np.int64, count=len(words))
    return ids


def _stem_table(lang: str, ids: np.ndarray) -> np.ndarray:
    """word id -> stem id for `lang`, deciding the words of `ids` not decided yet (the rule of `related.terms`)."""
    table = _KEEP.get(lang, np.zeros(0, dtype=np.int64))
    if len(table) < len(_IDS):
        table = _KEEP[lang] = np.concatenate([table, np.full(len(_IDS) - len(table), -2, dtype=np.int64)])
    todo = np.unique(ids[table[ids] == -2]).tolist()
    if todo:
        st, stop, words = L.stems(lang), _stop(lang), list(_IDS)
        for i in todo:
            w = words[i]
            if w in stop or not (len(w) > 2 or L._CJK_RUN.match(w)):
                table[i] = -1
                continue
            s = st(w)
            if not s:
                table[i] = -1
                continue
            table[i] = stemids.ids([s])[0]
    return table


class Packed(NamedTuple):
    """A batch's signatures and stem counts as a few arrays (what a worker sends back: pickling a Counter per
    entry, each with its own copies of the stem strings, cost time and gigabytes at 100,000 entries)."""

    sigs: np.ndarray  # entries x permutations (uint32); rows of entries without a signature are zeros
    has_sig: np.ndarray  # bool per entry
    stems: list[str]  # the batch's stems; `cols` index this list
    indptr: np.ndarray
    cols: np.ndarray
    counts: np.ndarray

    def unpack(self) -> tuple[list[np.ndarray | None], list[StemCounts]]:
        """(signature or None, stem counts) per entry, the stems as this process's ids."""
        gids = stemids.ids(self.stems)[self.cols] if len(self.cols) else np.zeros(0, dtype=np.int64)
        b = self.indptr.tolist()
        sigs: list[np.ndarray | None] = [s if ok else None for s, ok in zip(self.sigs, self.has_sig.tolist(), strict=True)]
        return sigs, [StemCounts.of(gids[b[i]:b[i + 1]], self.counts[b[i]:b[i + 1]]) for i in range(len(b) - 1)]


def batch(words: Sequence[list[str]], langs: Sequence[str], opts: DupOptions | None = None) -> Packed:
    """Signatures and stem counts of many entries, given each one's lowercased words and language."""
    opts = opts or DupOptions()
    n = len(words)
    lens = np.fromiter(map(len, words), dtype=np.int64, count=n)
    ids = word_ids(list(chain.from_iterable(words)))
    ent = np.repeat(np.arange(n, dtype=np.int64), lens)
    sigs, has = _signatures(ids, ent, lens, opts)
    return Packed(sigs, has, *_counts(ids, ent, n, langs))


def _counts(ids: np.ndarray, ent: np.ndarray, n: int, langs: Sequence[str],
            ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    sid = np.full(len(ids), -1, dtype=np.int64)
    lang_of = np.array(list(langs), dtype=object)
    for lang in dict.fromkeys(langs):
        at = np.nonzero(lang_of[ent] == lang)[0] if len(set(langs)) > 1 else np.arange(len(ids))
        sid[at] = _stem_table(lang, ids[at])[ids[at]]
    keep = sid >= 0
    width = max(1, len(STEMS))
    keys, counts = np.unique(ent[keep] * width + sid[keep], return_counts=True)
    used, cols = np.unique(keys % width, return_inverse=True)
    indptr = np.searchsorted(keys // width, np.arange(n + 1))
    return [STEMS[j] for j in used.tolist()], indptr, cols.astype(np.int32).ravel(), counts.astype(np.int32)


def _signatures(ids: np.ndarray, ent: np.ndarray, lens: np.ndarray, opts: DupOptions) -> tuple[np.ndarray, np.ndarray]:
    """`signature` for each entry: MinHash over the word pairs inside each entry, all entries at once."""
    n = len(lens)
    hs = _HASH[ids]
    inside = np.nonzero(ent[:-1] == ent[1:])[0] if len(ids) > 1 else np.zeros(0, dtype=np.int64)
    pairs = (_mix((hs[inside] << np.uint64(32)) | hs[inside + 1]) & _M32).astype(np.uint32)
    owner = ent[inside]
    npairs = np.bincount(owner, minlength=n)
    ok = (lens > opts.min_shingles) & (npairs > 0)
    # Too few distinct pairs: counted over each entry's first 64 pairs, then over all of them for those short
    # there (as `signature` does, so the same bodies are refused).
    starts = np.cumsum(npairs) - npairs
    rank = np.arange(len(pairs)) - np.repeat(starts, npairs)
    few = _distinct(owner[rank < 64], pairs[rank < 64], n) < opts.min_shingles
    if (few & ok).any():
        short = np.isin(owner, np.nonzero(few & ok)[0])
        few &= _distinct(owner[short], pairs[short], n) < opts.min_shingles
        ok &= ~few
    a, b = _perms(opts.num_perm)
    out = np.zeros((n, opts.num_perm), dtype=np.uint32)
    rows = np.nonzero(ok)[0]
    # Only the pairs of entries that get a signature, so each entry's pairs run up to the next one's start.
    pairs = pairs[ok[owner]]
    cum = np.cumsum(npairs[rows])
    first = cum - npairs[rows]
    # Blocks of whole entries, so each entry's minimum comes from one `reduceat`.
    lo = 0
    while lo < len(rows):
        hi = max(lo + 1, int(np.searchsorted(cum, first[lo] + _PAIRS_PER_BLOCK, side="right")))
        p0, p1 = first[lo], cum[hi - 1]
        buf = np.multiply(a, pairs[None, p0:p1])
        buf += b
        out[rows[lo:hi]] = np.minimum.reduceat(buf, first[lo:hi] - p0, axis=1).T
        lo = hi
    return out, ok


def _distinct(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Distinct values per owner."""
    keys = np.unique((owner.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64))
    return np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=n)
