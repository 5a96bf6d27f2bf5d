"""Topics: entries grouped by shared stems (their keywords, and their strongest TF-IDF words) into
communities of a stem-entry bipartite graph (Leiden, Louvain's refinement, in igraph's C: networkx's Louvain
took minutes at 100,000 entries). Tags are not needed: untagged notes land too."""
from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np

from ..visibility import PUBLIC
from . import lang as L
from .common import Rec, visible
from .matrix import Counts, top_per_row
from .related import terms


@dataclass(frozen=True)
class TopicOptions:
    per_entry: int = 6  # stems that describe an entry
    min_entries: int = 3  # a topic spans several entries
    max_share: float = 0.1  # a stem in more than this share of entries is too general to make a topic
    resolution: float = 1.5  # above 1: more, smaller topics (1 merged planted topics in tests; 2 split tiny ones)
    seed: int = 0  # Leiden is randomised: a fixed seed keeps topics stable between runs


def entry_stems(recs: list[Rec], keywords: Mapping[str, list[str]], per_entry: int,
                max_share: float = 0.1, min_entries: int = 3, counts: Mapping[str, Counter[str]] | None = None,
                langs: Mapping[str, str] | None = None, matrix: Counts | None = None) -> dict[str, list[str]]:
    """slug -> its most telling stems: keyword stems first, then its highest TF-IDF words. `counts`, `langs`:
    the entries' stem counts (without keywords) and languages, when already computed (discovery's profiles)."""
    langs, given = langs or {}, counts or {}
    rows = [given[r["slug"]] if r["slug"] in given else terms(r, langs.get(r["slug"])) for r in recs]
    n = max(1, len(recs))
    limit = max(20, int(max_share * n))  # small bases: a subject may be a third of them
    kws = []
    for r in recs:
        ks = keywords.get(r["slug"], r.get("keywords") or [])
        lang = (langs.get(r["slug"]) or L.language_of(r)) if ks else ""
        kws.append([w for k in ks for w in L.stem_phrase(k, lang).split()])
    # Each entry's best shared stems, for all entries in one numpy pass: score (1 + log count) * idf, highest
    # first, ties to the earlier spelling. A word of one or two entries groups nothing worth a topic.
    m = Counts.reuse(matrix, rows)
    df = m.df()
    ok = (df >= min_entries) & (df <= limit) & np.array([len(w) > 1 for w in m.stems], dtype=bool)
    idf = np.log(n / np.maximum(df, 1))
    sel = np.nonzero(ok[m.cols])[0]
    cols = m.cols[sel]
    pos = top_per_row(m.rows[sel], (1 + np.log(m.data[sel])) * idf[cols], cols,
                      per_entry + max(map(len, kws), default=0), len(rows))
    best_rows, best = m.rows[sel][pos], [m.stems[j] for j in cols[pos].tolist()]
    bounds = np.searchsorted(best_rows, np.arange(len(rows) + 1)).tolist()
    out: dict[str, list[str]] = {}
    for i, r in enumerate(recs):
        stems = kws[i] + best[bounds[i]:bounds[i + 1]]
        out[r["slug"]] = list(dict.fromkeys(s for s in stems if len(s) > 1))[:per_entry]
    return out


def find(records: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None, viewer: str = PUBLIC,
         opts: TopicOptions = TopicOptions(), counts: Mapping[str, Counter[str]] | None = None,
         langs: Mapping[str, str] | None = None, matrix: Counts | None = None,
         ) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """(topics [{id, label, stems, entries}], slug -> topic labels) over the entries `viewer` may see.
    `counts`, `langs`: per-entry stem counts (without keywords) and languages already computed, by slug."""
    recs = visible(records, viewer)
    stems = entry_stems(recs, keywords or {}, opts.per_entry, opts.max_share, opts.min_entries, counts, langs, matrix)
    df: Counter[str] = Counter(s for ss in stems.values() for s in set(ss))
    limit = max(20, int(opts.max_share * len(recs)))  # small bases: a subject may be a third of them
    topics: list[dict[str, Any]] = []
    by_entry: dict[str, list[str]] = defaultdict(list)
    communities = _communities([(("e", slug), ("s", s), 1.0 / math.log(1 + df[s]))
                            for slug, ss in stems.items() for s in ss if opts.min_entries <= df[s] <= limit],
                           opts.resolution, opts.seed)
    if not communities:
        return topics, {}
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
        best = max(topics, key=lambda t: (len(t["_all"].intersection(stems[e])), -len(t["entries"])), default=None)
        if best is not None and best["_all"].intersection(stems[e]):
            best["entries"].append(e)
    for t in topics:
        del t["_all"]
        t["entries"].sort()
    topics.sort(key=lambda t: (-len(t["entries"]), t["label"]))
    for i, t in enumerate(topics):
        t["id"] = i
        for e in t["entries"]:
            by_entry[e].append(t["label"])
    return topics, dict(by_entry)


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
