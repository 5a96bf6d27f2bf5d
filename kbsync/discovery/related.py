"""Related entries: TF-IDF cosine over stemmed words (keywords weighted up) blended with the link graph's
shared neighbours (co-citation and coupling, hubs down-weighted), top 5 `{slug, score}` per entry."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from ..visibility import PUBLIC
from . import lang as L
from .common import Rec, visible
from .matrix import Counts, top_per_row
from .terms import _stop, boosted, terms  # noqa: F401  (imported from here before terms.py)

# Rows scored at once: a row scores against up to `features` x `max_df` entries (8,000 from 20,000 entries on), and
# its chunk's products and sort keys were discovery's largest transient (2,000 rows: +113 MB at 20,000 entries).
RANK_ROWS = 500


@dataclass(frozen=True)
class RelatedOptions:
    top: int = 5
    graph: float = 0.05  # weight of the link graph (it reorders near-ties; planted data: 0.15 cost 0.2% of p@5)
    features: int = 40  # an entry is described by its strongest stems (bounds the cost of the products)
    keyword_boost: float = 2.0
    hub: int = 0  # neighbours linked from more entries than this are ignored; 0 = 3·sqrt(N), at least 30
    max_df: int = 200  # a stem in more entries says little about any two (and X·Xᵀ costs its entry count squared)


class RelatedIndex:
    """Normalised TF-IDF rows and a link adjacency over the visible entries. An edit re-weights only the rows its
    words' entry counts move and re-ranks only the rows whose top 5 it can change, so `update` gives what a fresh
    `build` gives; an added, removed or hidden entry changes every IDF (the entry count moves) and refits all."""

    def __init__(self, opts: RelatedOptions = RelatedOptions(), viewer: str = PUBLIC) -> None:
        self.opts, self.viewer = opts, viewer
        self.slugs: list[str] = []
        self.top: dict[str, list[tuple[str, float]]] = {}

    def build(self, records: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None,
              counts: Mapping[str, Mapping[str, float]] | None = None, langs: Mapping[str, str] | None = None,
              matrix: Counts | None = None) -> RelatedIndex:
        """`counts`, `langs`: per-entry stem counts (without keywords: they are added here) and languages, by slug;
        `matrix`: those counts as a matrix, when another pass built it (used if no keyword changed them)."""
        recs = visible(records, self.viewer)
        self.slugs = [r["slug"] for r in recs]
        self.counts = [self._counts(r, keywords, counts, langs) for r in recs]
        self.targets = [_targets(r) for r in recs]
        self._fit(matrix)
        return self

    def _counts(self, r: Rec, keywords: Mapping[str, list[str]] | None, counts: Mapping[str, Mapping[str, float]] | None,
                langs: Mapping[str, str] | None) -> Mapping[str, float]:
        kws = (keywords or {}).get(r["slug"]) or r.get("keywords") or ()
        if counts and r["slug"] in counts:
            return boosted(counts[r["slug"]], (langs or {}).get(r["slug"]) or L.language_of(r), kws,
                           self.opts.keyword_boost)
        return terms(r, keywords=kws, boost=self.opts.keyword_boost)

    def _fit(self, matrix: Counts | None = None) -> None:
        """Everything from the per-row counts and links: IDF, rows, graph, every top list."""
        self.row = {s: i for i, s in enumerate(self.slugs)}
        self._spelling = np.zeros(0, dtype=np.int64)  # each row's slug's rank in spelling order (ties in a top list)
        m = Counts.reuse(matrix, self.counts)
        df = m.df()
        self.df: Counter[str] = Counter(dict(zip(m.stems, df.tolist(), strict=True)))
        n = max(1, len(self.slugs))
        # Words in one entry relate nothing; words in most entries relate everything.
        # (The cap also bounds the cost of X·Xᵀ, which grows with the square of each word's entry count.)
        self.cap = min(self.opts.max_df, max(n // 100, min(n // 2, 50)))
        kept = np.nonzero((df > 1) & (df <= self.cap))[0].tolist()
        self.idf = {m.stems[j]: math.log(n / int(df[j])) for j in kept}
        self.vocab = {w: i for i, w in enumerate(sorted(self.idf))}
        indptr, cols, vals = self._matrix(self.counts, m)
        self.X = sparse.csr_matrix((vals, cols.astype(np.int32), indptr), shape=(len(self.counts), len(self.vocab)))
        self._XT = None
        self._graph()
        self.top = {}
        self._named: dict[str, set[str]] | None = {}  # who names an entry in its top list (an edit reads it)
        self._rank(range(len(self.slugs)))

    def _rows(self, counts: list[Mapping[str, float]]) -> list[tuple[list[int], np.ndarray]]:
        """(columns, weights) of each entry's row, as `_matrix` gives them."""
        indptr, cols, vals = self._matrix(counts)
        b, cl = indptr.tolist(), cols.tolist()
        return [(cl[b[i]:b[i + 1]], vals[b[i]:b[i + 1]]) for i in range(len(counts))]

    def _row(self, i: int) -> tuple[list[int], np.ndarray]:
        """Row `i` of X as (columns, weights)."""
        a, b = self.X.indptr[i], self.X.indptr[i + 1]
        return self.X.indices[a:b].tolist(), self.X.data[a:b]

    def _matrix(self, counts: list[Mapping[str, float]], m: Counts | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, columns, unit-length weights) of each entry's strongest stems, strongest first (ties: the
        stem's spelling decides, the later one first). One numpy pass for all rows; a row's result depends on that
        row alone, so an edit's few rows come out as a full build's."""
        m = m or Counts(counts)
        idf = np.array([self.idf.get(w, 0.0) for w in m.stems], dtype=np.float64)
        col = np.array([self.vocab.get(w, -1) for w in m.stems], dtype=np.int64)
        sel = np.nonzero(col[m.cols] >= 0)[0] if len(m.cols) else np.zeros(0, dtype=np.int64)
        rows, cols = m.rows[sel], m.cols[sel]
        w = (1 + np.log(m.data[sel])) * idf[cols]
        pos = top_per_row(rows, w, cols, self.opts.features, len(counts), high_cols_first=True)
        rows, cols, vals = rows[pos], col[cols[pos]], w[pos].astype(np.float32)
        norm = np.sqrt(np.bincount(rows, weights=vals.astype(np.float64) ** 2, minlength=len(counts)))
        vals = (vals / np.where(norm > 0, norm, 1.0)[rows]).astype(np.float32)
        return np.searchsorted(rows, np.arange(len(counts) + 1)), cols, vals

    def _graph(self) -> None:
        """A: entry x neighbour (links both ways, public ends only), hubs dropped, 1/log(degree) weights."""
        rows, cols = [], []
        for i, targets in enumerate(self.targets):
            for t in targets:
                j = self.row.get(t)
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
        self._XT = None

    def _scores(self, rows: Iterable[int]) -> sparse.csr_matrix:
        rows = list(rows)
        g = self.opts.graph
        if getattr(self, "_XT", None) is None:  # transposes kept between chunks (dropped when X changes)
            self._XT, self._AT = self.X.T.tocsr(), self.A.T.tocsr()
        text = self.X[rows] @ self._XT
        graph = self.A[rows] @ self._AT + 0.5 * self.adj[rows]  # shared neighbours, and a direct link
        return ((1 - g) * text + g * graph.minimum(1.0)).tocsr()

    def _rank(self, rows: Iterable[int]) -> None:
        """Top lists of `rows`, RANK_ROWS at a time (a row's list depends on that row alone)."""
        rows = list(rows)
        for a in range(0, len(rows), RANK_ROWS):
            self._rank_some(rows[a:a + RANK_ROWS])

    def _rank_some(self, rows: list[int]) -> None:
        """Top lists of `rows`: all rows' best `top` in one numpy pass (score, then slug spelling)."""
        if len(self._spelling) != len(self.slugs):
            self._spelling = np.argsort(np.argsort(np.array(self.slugs, dtype=object), kind="stable"), kind="stable")
        s = self._scores(rows)
        of = np.repeat(np.arange(len(rows)), np.diff(s.indptr))
        keep = (s.indices != np.asarray(rows, dtype=np.int64)[of]) & (s.data > 0)
        of, idx, val = of[keep], s.indices[keep], s.data[keep]
        k = self.opts.top
        pos = top_per_row(of, val.astype(np.float64), self._spelling[idx], k, len(rows))
        bounds = np.searchsorted(of[pos], np.arange(len(rows) + 1)).tolist()
        slugs, picked, vals = self.slugs, idx[pos].tolist(), val[pos].tolist()
        named = getattr(self, "_named", None)
        for n, i in enumerate(rows):
            a, b = bounds[n], bounds[n + 1]
            new = [(slugs[j], round(v, 3)) for j, v in zip(picked[a:b], vals[a:b], strict=True)]
            if named is not None:
                for o, _ in self.top.get(slugs[i], ()):
                    named.get(o, set()).discard(slugs[i])
                for o, _ in new:
                    named.setdefault(o, set()).add(slugs[i])
            self.top[slugs[i]] = new

    def _naming(self, names: set[str]) -> set[int]:
        """Rows whose top list names one of `names` (from the kept index, not a scan of every list)."""
        if getattr(self, "_named", None) is None:
            self._named = {}
            for s, lst in self.top.items():
                for o, _ in lst:
                    self._named.setdefault(o, set()).add(s)
        named = self._named
        assert named is not None
        return {self.row[s] for o in names for s in named.get(o, ())}

    def update(self, changed: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None,
               deleted: Iterable[str] = (), counts: Mapping[str, Mapping[str, float]] | None = None,
               langs: Mapping[str, str] | None = None) -> int:
        """Bring the index to what `build` gives on the edited store. Returns the rows re-ranked.
        `counts`, `langs`: the changed entries' stem counts and languages, when already computed."""
        changed = list(changed)
        gone = {s for s in deleted if s in self.row}
        gone |= {r["slug"] for r in changed if r["slug"] in self.row and r not in visible([r], self.viewer)}
        new = [r for r in changed if r["slug"] not in self.row and r in visible([r], self.viewer)]
        if gone or new:  # the entry count moves every IDF: refit from the kept counts and links
            keep = [i for i, s in enumerate(self.slugs) if s not in gone]
            self.slugs = [self.slugs[i] for i in keep] + [r["slug"] for r in new]
            self.counts = [self.counts[i] for i in keep] + [self._counts(r, keywords, counts, langs) for r in new]
            self.targets = [self.targets[i] for i in keep] + [_targets(r) for r in new]
            self.row = {s: i for i, s in enumerate(self.slugs)}
            changed = [r for r in changed if r["slug"] in self.row and r["slug"] not in {x["slug"] for x in new}]
            for r in changed:
                i = self.row[r["slug"]]
                self.counts[i], self.targets[i] = self._counts(r, keywords, counts, langs), _targets(r)
            self._fit()
            return len(self.slugs)
        return self._edit([r for r in changed if r["slug"] in self.row], keywords, counts, langs)

    def _edit(self, changed: list[Rec], keywords: Mapping[str, list[str]] | None,
              counts: Mapping[str, Mapping[str, float]] | None, langs: Mapping[str, str] | None) -> int:
        """Edits only (the entry count stays): re-weight the rows whose words' IDF moved, re-rank what can move."""
        touched: set[int] = set()
        moved: set[str] = set()  # stems whose entry count changed
        relink = False
        for r in changed:
            i = self.row[r["slug"]]
            old, c = self.counts[i], self._counts(r, keywords, counts, langs)
            for w in old.keys() - c.keys():
                self.df[w] -= 1
                moved.add(w)
            for w in c.keys() - old.keys():
                self.df[w] += 1
                moved.add(w)
            self.counts[i] = c
            targets = _targets(r)
            relink |= targets != self.targets[i]
            self.targets[i] = targets
            touched.add(i)
        n = max(1, len(self.slugs))
        # Only stems in the vocabulary before or after matter; their IDF moves every row that holds them.
        moved = {w for w in moved if w in self.idf or 1 < self.df[w] <= self.cap}
        for w in moved:
            d = self.df[w]
            if 1 < d <= self.cap:
                self.idf[w] = math.log(n / d)
                if w not in self.vocab:
                    self.vocab[w] = len(self.vocab)  # (column order decides nothing: ties go by spelling)
            else:
                self.idf.pop(w, None)
            if d <= 0:
                del self.df[w]
        if moved:
            touched |= {i for i, c in enumerate(self.counts) if not moved.isdisjoint(c.keys())}
        order = sorted(touched)
        new_rows = dict(zip(order, self._rows([self.counts[i] for i in order]), strict=True))
        touched = {i for i, row in new_rows.items() if not _same(row, self._row(i))} | {self.row[r["slug"]] for r in changed}
        self.X = _set_rows(self.X, {i: new_rows[i] for i in touched}, len(self.vocab))
        self._XT = None
        if relink:  # a link moved neighbour degrees: rows whose graph part changed are touched too
            A, adj = self.A, self.adj
            self._graph()
            diff = abs(self.A - A) + abs(self.adj - adj)
            touched |= set(np.nonzero(np.diff(diff.tocsr().indptr))[0].tolist())
        if not touched:
            return 0
        rerank = set(touched)
        # Scores are symmetric: column j of the changed rows is j's score to each changed entry.
        best = self._scores(sorted(touched)).max(axis=0).toarray().ravel()
        names = {self.slugs[i] for i in touched}
        rerank |= self._naming(names)
        for j in np.nonzero(best)[0]:
            lst = self.top.get(self.slugs[j], [])
            # (top scores are rounded: a margin of half a unit keeps this a superset of the rows that move)
            if len(lst) < self.opts.top or best[j] >= lst[-1][1] - 0.0005:
                rerank.add(int(j))
        self._rank(sorted(rerank))
        return len(rerank)

    def result(self) -> dict[str, list[dict[str, Any]]]:
        return {s: [{"slug": o, "score": v} for o, v in lst] for s, lst in self.top.items() if lst}


def _targets(r: Rec) -> list[str]:
    return sorted({str(link.get("target")) for link in r.get("links") or [] if link.get("target")})


def _same(a: tuple[list[int], np.ndarray], b: tuple[list[int], np.ndarray]) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1])


def _set_rows(m: sparse.csr_matrix, rows: Mapping[int, tuple[list[int], np.ndarray]], width: int) -> sparse.csr_matrix:
    """A CSR matrix with the given rows replaced (and `width` columns): the rows between are copied as slices."""
    lens = np.diff(m.indptr)
    data, indices, pos = [], [], 0
    for i in sorted(rows):
        lo, hi = m.indptr[pos], m.indptr[i]
        data += [m.data[lo:hi], rows[i][1].astype(np.float32)]
        indices += [m.indices[lo:hi], np.asarray(rows[i][0], dtype=np.int32)]
        lens[i] = len(rows[i][0])
        pos = i + 1
    data.append(m.data[m.indptr[pos]:])
    indices.append(m.indices[m.indptr[pos]:])
    indptr = np.concatenate([[0], np.cumsum(lens)])
    return sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=(m.shape[0], width))


def find(records: Iterable[Rec], viewer: str = PUBLIC, opts: RelatedOptions = RelatedOptions(),
         keywords: Mapping[str, list[str]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """slug -> top related [{slug, score}] among the entries `viewer` may see."""
    return RelatedIndex(opts, viewer).build(records, keywords).result()
