"""Related entries: TF-IDF cosine over stemmed words (keywords weighted up) blended with the link graph's
shared neighbours (co-citation and coupling, hubs down-weighted), top 5 `{slug, score}` per entry."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from ..visibility import PUBLIC
from . import lang as L
from .common import Rec, visible


@dataclass(frozen=True)
class RelatedOptions:
    top: int = 5
    graph: float = 0.05  # weight of the link graph (it reorders near-ties; planted data: 0.15 cost 0.2% of p@5)
    features: int = 40  # an entry is described by its strongest stems (bounds the cost of the products)
    keyword_boost: float = 2.0
    hub: int = 0  # neighbours linked from more entries than this are ignored; 0 = 3·sqrt(N), at least 30


def terms(rec: Rec, lang: str | None = None, keywords: Iterable[str] = (), boost: float = 2.0,
          words: list[str] | None = None) -> Counter[str]:
    """Stem counts of an entry's text (stopwords and 1-2 letter words dropped), keyword stems boosted.
    `words`: the text's lowercased words, when already split."""
    lang = lang or L.language_of(rec)
    st, stop = L.stems(lang), _stop(lang)
    words = L.segment((rec.get("text") or "").lower()) if words is None else words
    # Count words in C first, then filter and stem each distinct word once (a text repeats most of its words).
    c: Counter[str] = Counter()
    for w, k in Counter(words).items():
        if w not in stop and (len(w) > 2 or L._CJK_RUN.match(w)):
            c[st(w)] += k
    for kw in keywords:
        for w in L.segment(kw.lower()):
            if w not in stop:
                c[st(w)] += boost  # type: ignore[assignment]  # float weights
    return c


@lru_cache(maxsize=32)
def _stop(lang: str) -> frozenset[str]:
    return L.stopwords(lang) | L.stopwords("en")


class RelatedIndex:
    """Normalised TF-IDF rows and a link adjacency over the visible entries; one edit recomputes a few rows."""

    def __init__(self, opts: RelatedOptions = RelatedOptions(), viewer: str = PUBLIC) -> None:
        self.opts, self.viewer = opts, viewer
        self.slugs: list[str] = []
        self.top: dict[str, list[tuple[str, float]]] = {}

    def build(self, records: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None,
              counts: Mapping[str, Counter[str]] | None = None) -> RelatedIndex:
        recs = visible(records, self.viewer)
        self.slugs = [r["slug"] for r in recs]
        self.row = {s: i for i, s in enumerate(self.slugs)}
        kw = keywords or {}
        self.counts = [counts[r["slug"]] if counts and r["slug"] in counts
                       else terms(r, keywords=kw.get(r["slug"]) or r.get("keywords") or (), boost=self.opts.keyword_boost)
                       for r in recs]
        df: Counter[str] = Counter()
        for c in self.counts:
            df.update(c.keys())
        n = max(1, len(recs))
        # Words in one entry relate nothing; words in most entries relate everything.
        # (The cap also bounds the cost of X·Xᵀ, which grows with the square of each word's entry count.)
        self.idf = {w: math.log(n / d) for w, d in df.items() if 1 < d <= max(n // 100, min(n // 2, 50))}
        self.vocab = {w: i for i, w in enumerate(self.idf)}
        self.X = _csr([self._row(c) for c in self.counts], len(self.vocab))
        self._graph(recs)
        self.top = {}
        for a in range(0, len(self.slugs), 2000):
            self._rank(range(a, min(a + 2000, len(self.slugs))))
        return self

    def _row(self, c: Counter[str]) -> tuple[list[int], np.ndarray]:
        """(columns, unit-length weights) of an entry's strongest stems."""
        idf, vocab = self.idf, self.vocab
        items = sorted(((1 + math.log(k)) * idf[w], vocab[w]) for w, k in c.items() if w in idf)[-self.opts.features:]
        vals = np.array([v for v, _ in items], dtype=np.float32)
        norm = float(np.linalg.norm(vals)) or 1.0
        return [j for _, j in items], vals / norm

    def _vector(self, c: Counter[str]) -> sparse.csr_matrix:
        return _csr([self._row(c)], len(self.vocab))

    def _graph(self, recs: list[Rec]) -> None:
        """A: entry x neighbour (links both ways, public ends only), hubs dropped, 1/log(degree) weights."""
        rows, cols = [], []
        for r in recs:
            i = self.row[r["slug"]]
            for link in r.get("links") or []:
                j = self.row.get(link.get("target") or "")
                if j is not None and j != i:
                    rows += [i, j]
                    cols += [j, i]
        n = len(self.slugs)
        adj = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
        adj.data[:] = 1.0  # duplicate links count once
        deg = np.asarray(adj.sum(axis=0)).ravel()
        hub = self.opts.hub or max(30, int(3 * math.sqrt(max(n, 1))))
        w = np.where((deg > 0) & (deg <= hub), 1.0 / np.log(2 + deg), 0.0).astype(np.float32)
        self.adj = adj
        self.A = adj @ sparse.diags(w)
        norms = np.sqrt(np.asarray(self.A.multiply(self.A).sum(axis=1)).ravel())
        self.A = sparse.diags(np.where(norms > 0, 1 / np.maximum(norms, 1e-9), 0).astype(np.float32)) @ self.A
        self.A = self.A.tocsr()

    def _scores(self, rows: Iterable[int]) -> sparse.csr_matrix:
        rows = list(rows)
        g = self.opts.graph
        if getattr(self, "_XT", None) is None:  # transposes kept between chunks (dropped when X changes)
            self._XT, self._AT = self.X.T.tocsr(), self.A.T.tocsr()
        text = self.X[rows] @ self._XT
        graph = self.A[rows] @ self._AT + 0.5 * self.adj[rows]  # shared neighbours, and a direct link
        return ((1 - g) * text + g * graph.minimum(1.0)).tocsr()

    def _rank(self, rows: Iterable[int]) -> None:
        rows = list(rows)
        s = self._scores(rows)
        k = self.opts.top
        for n, i in enumerate(rows):
            lo, hi = s.indptr[n], s.indptr[n + 1]
            idx, val = s.indices[lo:hi], s.data[lo:hi]
            keep = (idx != i) & (val > 0)
            idx, val = idx[keep], val[keep]
            if len(val) > k:
                part = np.argpartition(-val, k)[:k]
                idx, val = idx[part], val[part]
            order = sorted(zip(val.tolist(), idx.tolist(), strict=True), key=lambda x: (-x[0], self.slugs[x[1]]))
            self.top[self.slugs[i]] = [(self.slugs[j], round(v, 3)) for v, j in order]

    def update(self, changed: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None) -> int:
        """Re-vectorise changed entries (IDF kept from the last build) and re-rank the rows they can move:
        their own, and any whose top list holds them or whose 5th score they now beat. Returns rows re-ranked."""
        kw, touched = keywords or {}, set()
        for r in changed:
            i = self.row.get(r["slug"])
            if i is None or r not in visible([r], self.viewer):
                continue  # new or newly hidden entries wait for the next build (their rows do not exist yet)
            c = terms(r, keywords=kw.get(r["slug"]) or r.get("keywords") or (), boost=self.opts.keyword_boost)
            self.X = _set_row(self.X, i, self._vector(c))
            self._XT = None
            touched.add(i)
        if not touched:
            return 0
        rerank = set(touched)
        # Scores are symmetric: column j of the changed rows is j's score to each changed entry.
        best = self._scores(sorted(touched)).max(axis=0).toarray().ravel()
        names = {self.slugs[i] for i in touched}
        for s, lst in self.top.items():
            if any(o in names for o, _ in lst):
                rerank.add(self.row[s])
        for j in np.nonzero(best)[0]:
            lst = self.top.get(self.slugs[j], [])
            if len(lst) < self.opts.top or best[j] > lst[-1][1]:
                rerank.add(int(j))
        self._rank(sorted(rerank))
        return len(rerank)

    def result(self) -> dict[str, list[dict[str, Any]]]:
        return {s: [{"slug": o, "score": v} for o, v in lst] for s, lst in self.top.items() if lst}


def _csr(rows: list[tuple[list[int], np.ndarray]], width: int) -> sparse.csr_matrix:
    """One CSR matrix from (columns, values) rows, built in one go (a matrix per row costs ~0.5 ms each)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(c) for c, _ in rows])
    indices = np.fromiter((j for c, _ in rows for j in c), dtype=np.int32, count=int(indptr[-1]))
    data = np.concatenate([v for _, v in rows]) if rows else np.zeros(0, dtype=np.float32)
    return sparse.csr_matrix((data.astype(np.float32), indices, indptr), shape=(len(rows), width))


def _set_row(m: sparse.csr_matrix, i: int, row: sparse.csr_matrix) -> sparse.csr_matrix:
    """Replace row i of a CSR matrix (a new matrix; rows before and after are copied as slices)."""
    parts = [p for p in (m[:i], row, m[i + 1:]) if p.shape[0]]
    return sparse.vstack(parts, format="csr")


def find(records: Iterable[Rec], viewer: str = PUBLIC, opts: RelatedOptions = RelatedOptions(),
         keywords: Mapping[str, list[str]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """slug -> top related [{slug, score}] among the entries `viewer` may see."""
    return RelatedIndex(opts, viewer).build(records, keywords).result()
