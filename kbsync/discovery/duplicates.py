"""Near-duplicates: near-identical titles/aliases (rapidfuzz, blocked by shared words) and near-identical
bodies (MinHash + LSH over word pairs, datasketch). Incremental: one edit re-queries one entry."""
from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from rapidfuzz import fuzz, process

from ..visibility import PUBLIC
from . import lang as L
from .common import Rec, names, norm_name, silenced, visible

_MAX_BLOCK = 5000  # a word shared by more names than this says nothing about sameness


@dataclass(frozen=True)
class DupOptions:
    title: float = 90.0  # rapidfuzz ratio (0-100) of normalised names, with some body overlap
    title_alone: float = 95.0  # ... or this close with unrelated bodies (a plural, an article, case)
    body_some: float = 0.2
    body: float = 0.5  # estimated Jaccard of word-pair shingles (10% of words changed keeps ~0.68)
    num_perm: int = 64
    min_shingles: int = 8  # shorter bodies are too small to call copies


_M32 = np.uint64(0xFFFFFFFF)
_WORD_HASH: dict[str, int] = {}


def _word_hash(w: str) -> int:
    h = _WORD_HASH.get(w)
    if h is None:
        h = _WORD_HASH[w] = zlib.crc32(w.encode())
    return h


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, vectorised: pairs of word hashes become well-spread 64-bit values.
    (Array integer arithmetic wraps silently, as hashing wants; no errstate needed, and it is costly.)"""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@lru_cache(maxsize=4)
def _perms(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations (a odd, so each is a bijection on 32-bit values)."""
    a, b = MinHash(num_perm=num_perm, scheme="affine32").permutations
    # Taken mod 2**32: uint32 arithmetic wraps there, so (a*x + b) in uint32 is the affine32 value.
    return ((np.asarray(a, dtype=np.uint64) & _M32).astype(np.uint32)[:, None],
            (np.asarray(b, dtype=np.uint64) & _M32).astype(np.uint32)[:, None])


def signature(text: str, opts: DupOptions = DupOptions(), words: list[str] | None = None) -> np.ndarray | None:
    """MinHash values of a body's lowercased word pairs, numpy-vectorised (one C pass, not a call per pair);
    None when the body is too short to compare. `words`: the text's lowercased words, when already split."""
    words = L.segment(text.lower()) if words is None else words
    get = _WORD_HASH.get
    ids = [get(w) for w in words]
    if None in ids:
        ids = [_word_hash(w) for w in words]
    hs = np.array(ids, dtype=np.uint64)
    if len(hs) <= opts.min_shingles:
        return None
    pairs = (_mix((hs[:-1] << np.uint64(32)) | hs[1:]) & _M32).astype(np.uint32)
    # A repeated pair changes no minimum: distinct pairs are counted only to refuse a body too small to compare,
    # and the first 64 nearly always settle that without sorting them all.
    if len(set(pairs[:64].tolist())) < opts.min_shingles and len(np.unique(pairs)) < opts.min_shingles:
        return None
    a, b = _perms(opts.num_perm)
    return (a * pairs[None, :] + b).min(axis=1)


class Bands:
    """MinHash LSH (datasketch's banding: the same bands and rows for a threshold) over one signature matrix:
    the build groups every band with one sort, a query compares one signature with all rows at once
    (datasketch inserted key by key: 1.4 million dictionary inserts at 100,000 entries)."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.b, self.r = _optimal_param(threshold, num_perm, 0.5, 0.5)
        self.slugs: list[str] = []
        self.row: dict[str, int] = {}
        self.mat = np.zeros((0, num_perm), dtype=np.uint32)
        self.alive = np.zeros(0, dtype=bool)

    def insert_many(self, items: dict[str, np.ndarray]) -> None:
        for slug in items:
            self.remove(slug)
        if items:
            start = len(self.slugs)
            self.slugs += list(items)
            self.row.update({s: start + k for k, s in enumerate(items)})
            self.mat = np.vstack([self.mat, np.stack(list(items.values())).astype(np.uint32)])
            self.alive = np.concatenate([self.alive, np.ones(len(items), dtype=bool)])

    def remove(self, slug: str) -> None:
        i = self.row.pop(slug, None)
        if i is not None:
            self.alive[i] = False

    def _banded(self) -> np.ndarray:
        """rows x bands x band width of the live part of the matrix's banded columns."""
        return self.mat[:, :self.b * self.r].reshape(len(self.slugs), self.b, self.r)

    def pairs(self) -> set[tuple[str, str]]:
        """Every (a, b), a < b, sharing a bucket in some band: what querying each entry would find."""
        live = np.nonzero(self.alive)[0]
        banded = self._banded()[live]
        out: set[tuple[str, str]] = set()
        for band in range(self.b):
            keys = np.ascontiguousarray(banded[:, band, :]).view(np.dtype((np.void, 4 * self.r))).ravel()
            _, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
            shared = np.nonzero(counts[inv] > 1)[0]
            order = shared[np.argsort(inv[shared], kind="stable")]
            groups = np.split(order, np.nonzero(np.diff(inv[order]))[0] + 1) if len(order) else []
            for g in groups:
                members = sorted(self.slugs[live[k]] for k in g)
                out.update((x, o) for i, x in enumerate(members) for o in members[i + 1:])
        return out

    def query(self, sig: np.ndarray) -> list[str]:
        hit = (self._banded() == sig[:self.b * self.r].reshape(self.b, self.r)).all(axis=2).any(axis=1) & self.alive
        return [self.slugs[i] for i in np.nonzero(hit)[0]]


def _block_keys(name: str) -> set[str]:
    words = name.split()
    keys = {w for w in words if len(w) > 1 and w not in L.stopwords("en")}
    if len(words) == 1:  # a one-word title may differ in that word: block on its start too
        keys.add("^" + words[0][:2])
    return keys or {"^" + name[:2]}


class DuplicateIndex:
    """Names and body signatures of the visible entries; `pairs` maps slug -> {other: (title%, body)}."""

    def __init__(self, opts: DupOptions = DupOptions(), viewer: str = PUBLIC) -> None:
        self.opts, self.viewer = opts, viewer
        self.lsh = Bands(opts.body, opts.num_perm)
        self.sig: dict[str, np.ndarray] = {}
        self.names: dict[str, list[tuple[str, str]]] = {}  # slug -> [(normalised name, kind)]
        self.block: dict[str, set[str]] = defaultdict(set)  # block key -> slugs
        self.path: dict[str, str] = {}
        self.quiet: set[frozenset[str]] = set()
        self.pairs: dict[str, dict[str, tuple[float, float | None, str]]] = defaultdict(dict)

    # -- building ------------------------------------------------------------------------------
    def build(self, records: Iterable[Rec], signatures: dict[str, np.ndarray | None] | None = None) -> DuplicateIndex:
        recs = visible(records, self.viewer)
        self.quiet = silenced(recs)
        for r in recs:
            self._add(r, (signatures or {}).get(r["slug"], ...), index=False)
        self.lsh.insert_many(self.sig)
        found: dict[tuple[str, str], tuple[float, str]] = {}
        # Names: all pairs inside each block at once, in C (rapidfuzz's cdist), not a query per name.
        rows = [(slug, n, k) for slug, ns in self.names.items() for n, k in ns]
        index: dict[str, list[int]] = defaultdict(list)
        for i, (_, n, _) in enumerate(rows):
            for key in _block_keys(n):
                index[key].append(i)
        for members in index.values():
            if not 1 < len(members) <= _MAX_BLOCK:
                continue
            scores = process.cdist([rows[i][1] for i in members], [rows[i][1] for i in members], scorer=fuzz.ratio,
                                   score_cutoff=self.opts.title, dtype=np.uint8)
            for x, y in zip(*np.nonzero(np.triu(scores, 1)), strict=True):
                (a, _, ka), (b, _, kb) = rows[members[x]], rows[members[y]]
                if a != b:
                    pair = (a, b) if a < b else (b, a)
                    t = float(scores[x, y])
                    if t > found.get(pair, (0.0, ""))[0]:
                        found[pair] = (t, "alias" if "alias" in (ka, kb) else "title")
        # Bodies: every pair sharing an LSH bucket, read off the buckets (what querying each entry returns,
        # without 100,000 queries).
        for x, o in self.lsh.pairs():
            if (x, o) not in found:
                found[(x, o)] = (self._title_score(x, o), "title")
        for (a, b), (t, why) in found.items():
            self._judge(a, b, t, why)
        return self

    def _add(self, r: Rec, sig: Any = ..., index: bool = True) -> None:
        slug = r["slug"]
        self.path[slug] = r["path"]
        self.names[slug] = [(norm_name(n), k) for n, k in names(r)]
        for n, _ in self.names[slug]:
            for key in _block_keys(n):
                self.block[key].add(slug)
        sig = signature(r.get("text") or "", self.opts) if sig is ... else sig
        if sig is not None:
            self.sig[slug] = sig
            if index:
                self.lsh.insert_many({slug: sig})

    def _remove(self, slug: str) -> None:
        for n, _ in self.names.pop(slug, []):
            for key in _block_keys(n):
                self.block[key].discard(slug)
        if self.sig.pop(slug, None) is not None:
            self.lsh.remove(slug)
        self.path.pop(slug, None)
        for other in self.pairs.pop(slug, {}):
            self.pairs[other].pop(slug, None)

    def _query(self, slug: str) -> None:
        found: dict[str, tuple[float, float | None, str]] = {}
        for n, kind in self.names[slug]:
            cands: set[str] = set()
            for key in _block_keys(n):
                if len(self.block[key]) <= _MAX_BLOCK:
                    cands |= self.block[key]
            cands.discard(slug)
            choices = [(o, on, ok) for o in cands for on, ok in self.names[o]]
            for _, score, i in process.extract(n, [c[1] for c in choices], scorer=fuzz.ratio,
                                               score_cutoff=self.opts.title, limit=None):
                o, _, okind = choices[i]
                why = "alias" if "alias" in (kind, okind) else "title"
                if score > found.get(o, (0.0, None, ""))[0]:
                    found[o] = (score, None, why)
        if slug in self.sig:
            mine = self.sig[slug]
            for o in self.lsh.query(mine):
                if o != slug and o not in found:
                    found[o] = (self._title_score(slug, o), None, "title")
        for o, (t, _, why) in found.items():
            self._judge(slug, o, t, why)

    def _judge(self, a: str, b: str, t: float, why: str) -> None:
        """Record the pair when the names and bodies say so (and the owner has not said otherwise)."""
        if frozenset((a, b)) in self.quiet:
            return
        body = float(np.mean(self.sig[a] == self.sig[b])) if a in self.sig and b in self.sig else None
        o_ = self.opts
        if (body is not None and body >= o_.body) or t >= o_.title_alone or (t >= o_.title and (body or 0) >= o_.body_some):
            self.pairs[a][b] = self.pairs[b][a] = (t, body, why)

    def _title_score(self, a: str, b: str) -> float:
        return max((fuzz.ratio(x, y) for x, _ in self.names[a] for y, _ in self.names[b]), default=0.0)

    # -- one edit ------------------------------------------------------------------------------
    def update(self, changed: Iterable[Rec] = (), deleted: Iterable[str] = (),
               signatures: dict[str, np.ndarray | None] | None = None) -> None:
        """Re-index and re-query only the changed entries (a hidden one is removed); `signatures`: theirs, when
        already computed."""
        for slug in deleted:
            self._remove(slug)
        for r in changed:
            self._remove(r["slug"])
            self.quiet = {p for p in self.quiet if r["slug"] not in p} | {
                p for p in silenced([r]) if r["slug"] in p}
            if r in visible([r], self.viewer):
                self._add(r, (signatures or {}).get(r["slug"], ...))
                self._query(r["slug"])

    def similar(self, title: str, limit: int = 5) -> list[dict[str, Any]]:
        """Entries whose title or alias is near `title`, for a form (`kb new`, the API) before anything is written:
        `[{slug, score, reason}]`, e.g. "Back Squat" -> Squat (alias 100%). Blocked like the build: a few
        hundred comparisons in C, whatever the size of the base."""
        n = norm_name(title)
        cands = set().union(*(self.block.get(k, set()) for k in _block_keys(n) if len(self.block.get(k, ())) <= _MAX_BLOCK))
        choices = [(o, on, ok) for o in sorted(cands) for on, ok in self.names[o]]
        best: dict[str, tuple[float, str]] = {}
        for _, score, i in process.extract(n, [c[1] for c in choices], scorer=fuzz.ratio,
                                           score_cutoff=self.opts.title, limit=None):
            o, _, kind = choices[i]
            if score > best.get(o, (0.0, ""))[0]:
                best[o] = (score, kind)
        rows: list[dict[str, Any]] = [{"slug": o, "score": round(t / 100, 3), "reason": f"{kind} {t:.0f}%"}
                                      for o, (t, kind) in best.items()]
        return sorted(rows, key=lambda x: (-x["score"], x["slug"]))[:limit]

    # -- output --------------------------------------------------------------------------------
    def result(self) -> dict[str, list[dict[str, Any]]]:
        """slug -> [{slug, score, reason}], best first (score: the stronger of title and body)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for slug, others in self.pairs.items():
            if others:
                rows = [{"slug": o, "score": round(max(t / 100, b or 0.0), 3), "reason": reason(t, b, why)}
                        for o, (t, b, why) in others.items()]
                out[slug] = sorted(rows, key=lambda x: (-x["score"], x["slug"]))
        return out


def reason(title: float, body: float | None, why: str = "title") -> str:
    """`title 94%, body 0.87` (the words `kb check` prints)."""
    parts = [f"{why} {title:.0f}%"] if title >= 50 else []
    if body is not None:
        parts.append(f"body {body:.2f}")
    return ", ".join(parts) or f"{why} {title:.0f}%"


def find(records: Iterable[Rec], viewer: str = PUBLIC, opts: DupOptions = DupOptions()) -> dict[str, list[dict[str, Any]]]:
    """slug -> near-duplicates among the entries `viewer` may see."""
    return DuplicateIndex(opts, viewer).build(records).result()
