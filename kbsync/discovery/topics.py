"""Topics: entries grouped by shared stems (their keywords, and their strongest TF-IDF words) into
communities of a stem-entry bipartite graph (Louvain, networkx). Tags are not needed: untagged notes land too."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..visibility import PUBLIC
from . import lang as L
from .common import Rec, visible
from .related import terms


@dataclass(frozen=True)
class TopicOptions:
    per_entry: int = 6  # stems that describe an entry
    min_entries: int = 3  # a topic spans several entries
    max_share: float = 0.1  # a stem in more than this share of entries is too general to make a topic
    resolution: float = 2.0  # above 1: more, smaller topics (1 merged planted topics in tests)
    seed: int = 0  # Louvain is randomised: a fixed seed keeps topics stable between runs


def entry_stems(recs: list[Rec], keywords: Mapping[str, list[str]], per_entry: int,
                max_share: float = 0.1, min_entries: int = 3) -> dict[str, list[str]]:
    """slug -> its most telling stems: keyword stems first, then its highest TF-IDF words."""
    counts = {r["slug"]: terms(r) for r in recs}
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    n = max(1, len(recs))
    limit = max(20, int(max_share * n))  # small bases: a subject may be a third of them
    out: dict[str, list[str]] = {}
    for r in recs:
        lang = L.language_of(r)
        kw = [L.stem_phrase(k, lang) for k in keywords.get(r["slug"], r.get("keywords") or [])]
        # A word of one or two entries groups nothing worth a topic.
        shared = [(w, k) for w, k in counts[r["slug"]].items() if min_entries <= df[w] <= limit]
        ranked = sorted(shared, key=lambda x: (-(1 + math.log(x[1])) * math.log(n / df[x[0]]), x[0]))
        stems = [w for k in kw for w in k.split()] + [w for w, _ in ranked]
        out[r["slug"]] = list(dict.fromkeys(s for s in stems if len(s) > 1))[:per_entry]
    return out


def find(records: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None, viewer: str = PUBLIC,
         opts: TopicOptions = TopicOptions()) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """(topics [{id, label, stems, entries}], slug -> topic labels) over the entries `viewer` may see."""
    recs = visible(records, viewer)
    stems = entry_stems(recs, keywords or {}, opts.per_entry, opts.max_share, opts.min_entries)
    df: Counter[str] = Counter(s for ss in stems.values() for s in set(ss))
    limit = max(20, int(opts.max_share * len(recs)))  # small bases: a subject may be a third of them
    g = nx.Graph()
    for slug, ss in stems.items():
        for s in ss:
            if opts.min_entries <= df[s] <= limit:
                g.add_edge(("e", slug), ("s", s), weight=1.0 / math.log(1 + df[s]))
    topics: list[dict[str, Any]] = []
    by_entry: dict[str, list[str]] = defaultdict(list)
    if g.number_of_edges() == 0:
        return topics, {}
    communities = nx.community.louvain_communities(g, weight="weight", resolution=opts.resolution, seed=opts.seed)
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
