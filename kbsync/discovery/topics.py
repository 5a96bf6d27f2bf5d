"""Topics: entries grouped by shared stems (their keywords, and their strongest TF-IDF words) into
communities of a stem-entry bipartite graph (Leiden, Louvain's refinement, in igraph's C: networkx's Louvain
took minutes at 100,000 entries). Tags are not needed: untagged notes land too."""
from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..visibility import PUBLIC
from . import lang as L
from .common import Rec, visible
from .lean import without
from .matrix import Counts, top_per_row
from .terms import terms

with without("matplotlib"):  # igraph's drawing, never used: ~0.5 s of CPU a build where installed
    import igraph as ig


@dataclass(frozen=True)
class TopicOptions:
    per_entry: int = 6  # stems that describe an entry
    min_entries: int = 3  # a topic spans several entries
    max_share: float = 0.1  # a stem in more than this share of entries is too general to make a topic
    resolution: float = 1.5  # above 1: more, smaller topics (1 merged planted topics in tests; 2 split tiny ones)
    seed: int = 0  # Leiden is randomised: a fixed seed keeps topics stable between runs


def entry_stems(recs: list[Rec], keywords: Mapping[str, list[str]], per_entry: int,
                max_share: float = 0.1, min_entries: int = 3, counts: Mapping[str, Mapping[str, float]] | None = None,
                langs: Mapping[str, str] | None = None, matrix: Counts | None = None,
                corpus: Corpus | None = None) -> dict[str, list[str]]:
    """slug -> its most telling stems: keyword stems first, then its highest TF-IDF words. `counts`, `langs`:
    the entries' stem counts (without keywords) and languages, when already computed (discovery's profiles);
    `corpus`: entry counts to weigh stems by, when `recs` are a few entries of a larger corpus."""
    langs, given = langs or {}, counts or {}
    rows = [given[r["slug"]] if r["slug"] in given else terms(r, langs.get(r["slug"])) for r in recs]
    n = max(1, len(recs) if corpus is None else corpus.n)
    limit = max(20, int(max_share * n))  # small bases: a subject may be a third of them
    kws = []
    for r in recs:
        ks = keywords.get(r["slug"], r.get("keywords") or [])
        lang = (langs.get(r["slug"]) or L.language_of(r)) if ks else ""
        kws.append([w for k in ks for w in L.stem_phrase(k, lang).split()])
    # Each entry's best shared stems, for all entries in one numpy pass: score (1 + log count) * idf, highest
    # first, ties to the earlier spelling. A word of one or two entries groups nothing worth a topic.
    m = Counts.reuse(matrix, rows)
    df = m.df() if corpus is None else corpus.df_of(m.stems)
    ok = (df >= min_entries) & (df <= limit) & np.array([len(w) > 1 for w in m.stems], dtype=bool)
    idf = np.log(n / np.maximum(df, 1))
    k = per_entry + max(map(len, kws), default=0)
    picked: list[np.ndarray] = []
    best: list[str] = []
    # BLOCK rows at a time (a row's best depends on that row alone): every pair's scores and sort keys at once
    # were a transient of ~40 bytes a (entry, stem) pair.
    for a in range(0, len(rows), BLOCK):
        b = min(len(rows), a + BLOCK)
        lo, hi = int(m.indptr[a]), int(m.indptr[b])
        sel = np.nonzero(ok[m.cols[lo:hi]])[0] + lo
        cols, at = m.cols[sel], m.rows[sel] - a
        pos = top_per_row(at, (1 + np.log(m.data[sel])) * idf[cols], cols, k, b - a)
        picked.append(at[pos] + a)
        best += [m.stems[j] for j in cols[pos].tolist()]
    best_rows = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
    bounds = np.searchsorted(best_rows, np.arange(len(rows) + 1)).tolist()
    out: dict[str, list[str]] = {}
    for i, r in enumerate(recs):
        stems = kws[i] + best[bounds[i]:bounds[i + 1]]
        out[r["slug"]] = list(dict.fromkeys(s for s in stems if len(s) > 1))[:per_entry]
    return out


BLOCK = 4096  # rows `entry_stems` scores at once


class Corpus(NamedTuple):
    """Stems (sorted) and the entries holding each, as of one full topic run."""

    stems: list[str]
    df: np.ndarray
    n: int

    def df_of(self, stems: list[str]) -> np.ndarray:
        out = np.zeros(len(stems), dtype=np.int64)
        for k, s in enumerate(stems):
            i = bisect_left(self.stems, s)
            if i < len(self.stems) and self.stems[i] == s:
                out[k] = self.df[i]
        return out


def find(records: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None, viewer: str = PUBLIC,
         opts: TopicOptions = TopicOptions(), counts: Mapping[str, Mapping[str, float]] | None = None,
         langs: Mapping[str, str] | None = None, matrix: Counts | None = None,
         ) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """(topics [{id, label, stems, entries}], slug -> topic labels) over the entries `viewer` may see.
    `counts`, `langs`: per-entry stem counts (without keywords) and languages already computed, by slug."""
    t = Topics(opts).build(records, keywords, viewer, counts, langs, matrix)
    return t.topics, t.of


class Topics:
    """Topics and what a body edit needs to place an entry again without rerunning Leiden: each entry's stems,
    each topic's stems, the corpus' stem entry counts. See `update` for when Leiden runs again."""

    def __init__(self, opts: TopicOptions = TopicOptions()) -> None:
        self.opts = opts
        self.topics: list[dict[str, Any]] = []
        self.of: dict[str, list[str]] = {}
        self.stems: dict[str, list[str]] = {}
        self.inside: list[set[str]] = []  # each topic's stems
        self.corpus = Corpus([], np.zeros(0, dtype=np.int64), 1)
        self.moved = 0  # entries placed by `update` since Leiden last ran

    def build(self, records: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None, viewer: str = PUBLIC,
              counts: Mapping[str, Mapping[str, float]] | None = None, langs: Mapping[str, str] | None = None,
              matrix: Counts | None = None) -> Topics:
        opts = self.opts
        recs = visible(records, viewer)
        given, langs = counts or {}, langs or {}
        rows = [given[r["slug"]] if r["slug"] in given else terms(r, langs.get(r["slug"])) for r in recs]
        m = Counts.reuse(matrix, rows)
        self.corpus = Corpus(m.stems, m.df(), max(1, len(recs)))
        stems = entry_stems(recs, keywords or {}, opts.per_entry, opts.max_share, opts.min_entries,
                            dict(zip([r["slug"] for r in recs], rows, strict=True)), langs, m)
        self.stems, self.moved = stems, 0
        df: Counter[str] = Counter(s for ss in stems.values() for s in set(ss))
        limit = max(20, int(opts.max_share * len(recs)))  # small bases: a subject may be a third of them
        topics: list[dict[str, Any]] = []
        by_entry: dict[str, list[str]] = defaultdict(list)
        communities = _communities([(("e", slug), ("s", s), 1.0 / math.log(1 + df[s]))
                                    for slug, ss in stems.items() for s in ss if opts.min_entries <= df[s] <= limit],
                                   opts.resolution, opts.seed)
        self.topics, self.of, self.inside = [], {}, []
        if not communities:
            return self
        stray: list[str] = []
        for comm in communities:
            entries = sorted(n[1] for n in comm if n[0] == "e")
            if len(entries) < opts.min_entries:
                stray += entries
                continue
            inside = Counter(s for e in entries for s in stems[e] if ("s", s) in comm)
            top = [s for s, _ in inside.most_common(3)]
            topics.append({"label": " · ".join(top), "stems": top, "entries": entries, "_all": set(inside)})
        # Entries of communities too small to be topics join the topic sharing most of their stems.
        for e in stray:
            best = _best(topics, stems[e])
            if best is not None:
                best["entries"].append(e)
        for t in topics:
            t["entries"].sort()
        topics.sort(key=lambda t: (-len(t["entries"]), t["label"]))
        self.inside = [t.pop("_all") for t in topics]
        for i, t in enumerate(topics):
            t["id"] = i
            for e in t["entries"]:
                by_entry[e].append(t["label"])
        self.topics, self.of = topics, dict(by_entry)
        return self

    def update(self, changed: Iterable[Rec], keywords: Mapping[str, list[str]], counts: Mapping[str, Mapping[str, float]],
               langs: Mapping[str, str]) -> int | None:
        """Place body-edited entries (the entry count unchanged) without rerunning Leiden; None when the caller
        must `build` again. The rule: an edited entry whose telling stems (weighed by the entry counts of the last
        full run) are unchanged stays where it is, and no topic changes; one whose stems moved leaves its topic
        and joins the topic sharing most of its new stems (as a community too small to be a topic does), labels
        kept. Once the entries moved this way since the last full run exceed `REDO_SHARE` of the corpus (at
        least `REDO_MIN`), Leiden runs again; below `PLACE_FROM` entries it always does (a fraction of a second
        there, and the result is then exactly a full build's). Returns the entries moved."""
        if self.corpus.n < PLACE_FROM:
            return None
        recs = [r for r in changed if r["slug"] in self.stems]
        new = entry_stems(recs, keywords, self.opts.per_entry, self.opts.max_share, self.opts.min_entries, counts,
                          langs, corpus=self.corpus)
        moved = [s for s in new if new[s] != self.stems[s]]
        if self.moved + len(moved) > max(REDO_MIN, REDO_SHARE * self.corpus.n):
            return None
        # New lists and dicts, never changed in place: readers may hold the previous ones.
        self.topics, self.of = list(self.topics), dict(self.of)
        for slug in moved:
            self.stems[slug] = new[slug]
            for k, t in enumerate(self.topics):
                if slug in t["entries"]:
                    self.topics[k] = t | {"entries": [e for e in t["entries"] if e != slug]}
            self.of.pop(slug, None)
            best = _best_index(self.topics, self.inside, new[slug])
            if best is not None:
                t = self.topics[best] = self.topics[best] | {"entries": sorted([*self.topics[best]["entries"], slug])}
                self.of[slug] = [t["label"]]
        self.moved += len(moved)
        return len(moved)


REDO_SHARE = 0.01  # Leiden runs again once this share of the entries moved topic by `Topics.update` ...
REDO_MIN = 20  # ... or this many, whichever is more
PLACE_FROM = 5000  # smaller corpora cluster again on every edit (Leiden: ~0.15 s of CPU at 5,000 entries)


def _best(topics: list[dict[str, Any]], stems: list[str]) -> dict[str, Any] | None:
    k = _best_index(topics, [t["_all"] for t in topics], stems)
    return None if k is None else topics[k]


def _best_index(topics: list[dict[str, Any]], inside: list[set[str]], stems: list[str]) -> int | None:
    """The topic sharing most of `stems` (ties: the smaller topic, then the first); None when none shares any."""
    best = max(range(len(topics)), key=lambda k: (len(inside[k].intersection(stems)), -len(topics[k]["entries"]), -k),
               default=None)
    return best if best is not None and inside[best].intersection(stems) else None


LEIDEN_ROUNDS = 50  # a partition still moving after this many rounds is kept as it is
LEIDEN_GAIN = 5e-4  # ... or once a round adds less modularity than this


def _communities(edges: list[tuple[Any, Any, float]], resolution: float, seed: int) -> list[set[Any]]:
    """Communities (sets of node names) of a weighted graph given as (a, b, weight) edges; empty when none.
    igraph draws from an RNG we seed and then put back, so the same corpus gives the same topics."""
    if not edges:
        return []
    ids: dict[Any, int] = {}
    pairs = [(ids.setdefault(a, len(ids)), ids.setdefault(b, len(ids))) for a, b, _ in edges]
    g = ig.Graph(n=len(ids), edges=pairs)
    ig.set_random_number_generator(random.Random(seed))
    try:
        # Until no node moves, as n_iterations=-1 asks, but bounded: on some graphs (the injection corpus) -1
        # never returns, the partition going round in a cycle.
        weights = [w for _, _, w in edges]
        membership: list[int] | None = None
        quality = -1.0
        for _ in range(LEIDEN_ROUNDS):
            parts = g.community_leiden(objective_function="modularity", weights=weights, resolution=resolution,
                                       n_iterations=1, initial_membership=membership)
            if parts.membership == membership:
                break
            membership = parts.membership
            # Later rounds polish the last fraction of a percent of modularity, each as costly as the first
            # (0.8 s at 100,000 entries): stop once a round gains too little to move a topic worth naming.
            q = g.modularity(membership, weights=weights, resolution=resolution)
            if q - quality < LEIDEN_GAIN:
                break
            quality = q
    finally:
        ig.set_random_number_generator(random)
    names = list(ids)
    return [{names[i] for i in members} for members in parts]
