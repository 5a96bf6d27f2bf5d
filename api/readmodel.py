"""The read model: entry summaries, suggest and search indexes and the link graph, built from a store."""
from __future__ import annotations

import time
from bisect import bisect_right
from collections import Counter
from typing import Any

from api.fulltext import FullText
from api.graph import LinkGraph
from api.loader import load
from api.suggest import ALIAS, TAG, TITLE, SuggestIndex

SUMMARY_KEYS = ("slug", "title", "url", "type", "tags", "aliases", "date")


def _summary(rec: dict[str, Any]) -> dict[str, Any]:
    s = {k: rec.get(k) for k in SUMMARY_KEYS}
    s["title"] = s["title"] or rec["slug"]
    s["url"] = s["url"] or f"/{rec['slug']}/"
    s["type"] = s["type"] or "note"
    s["tags"] = list(s["tags"] or [])
    s["aliases"] = list(s["aliases"] or [])
    return s


class ReadModel:
    """Everything the API answers from without touching the store; immutable once built."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self.summaries: list[dict[str, Any]] = []  # in store order; drafts are never loaded
        self.order: list[int] = []  # summaries by slug, for listing
        self.sorted_slugs: list[str] = []
        self.public: list[bool] = []
        self.by_slug: dict[str, int] = {}
        self.inbound: list[int] = []
        self.build_seconds = 0.0
        self.edge_count = 0
        self.timings: dict[str, float] = {}
        self.links: LinkGraph
        self.suggester: SuggestIndex
        self.fulltext: FullText
        self.tag_counts: tuple[Counter[str], Counter[str]] = (Counter(), Counter())

    @classmethod
    def from_store(cls, store: Any) -> ReadModel:
        """Read every non-draft entry and edge once; index them. Raises whatever the store raises."""
        t0 = time.perf_counter()
        src = load(store)
        model = cls(src.revision)
        model.timings["load"] = time.perf_counter() - t0
        try:
            fulltext = FullText()
            for rec in src.records:  # streamed: only summaries stay in memory
                public = (rec.get("visibility") or "public") == "public"
                fulltext.add(len(model.summaries), rec, public)
                model.summaries.append(_summary(rec))
                model.public.append(public)
            model.by_slug = {s["slug"]: i for i, s in enumerate(model.summaries)}
            model.order = sorted(range(len(model.summaries)), key=lambda i: model.summaries[i]["slug"])
            model.sorted_slugs = [model.summaries[i]["slug"] for i in model.order]
            model.timings["entries"] = time.perf_counter() - t0
            graph = LinkGraph(len(model.summaries), model.public)
            model.inbound = graph.load(src.edges, model.by_slug)
            graph.freeze()
            model.links = graph
            model.edge_count = graph.edge_count
            model.timings["edges"] = time.perf_counter() - t0
        finally:
            src.close()
        names: list[tuple[int, int, str]] = []
        for i, s in enumerate(model.summaries):
            names.append((i, TITLE, s["title"]))
            names.extend((i, ALIAS, a) for a in s["aliases"] if a)
            names.extend((i, TAG, t) for t in s["tags"] if t)
        model.suggester = SuggestIndex(names, model.inbound, model.public)
        model.timings["suggest"] = time.perf_counter() - t0
        fulltext.finish()
        model.timings["fulltext"] = time.perf_counter() - t0
        model.fulltext = fulltext
        for i, s in enumerate(model.summaries):
            for t in set(s["tags"]):
                model.tag_counts[1][t] += 1
                if model.public[i]:
                    model.tag_counts[0][t] += 1
        model.build_seconds = time.perf_counter() - t0
        return model

    # ---- lookups -------------------------------------------------------------------------------

    def visible(self, slug: str, include_private: bool = False) -> int | None:
        i = self.by_slug.get(slug)
        if i is None or not (include_private or self.public[i]):
            return None
        return i

    def item(self, i: int) -> dict[str, Any]:
        s = self.summaries[i]
        return {"slug": s["slug"], "title": s["title"], "url": s["url"], "type": s["type"]}

    def suggest(self, q: str, limit: int = 10, include_private: bool = False) -> dict[str, Any]:
        """Typeahead hits: `{"query", "hits": [{slug, title, url, type, matched, alias?, score}]}`."""
        hits = []
        for h in self.suggester.suggest(q, limit, include_private):
            item = self.item(h["entry"]) | {"matched": h["matched"], "score": h["score"]}
            if h["matched"] == "alias":
                item["alias"] = h["text"]
            elif h["matched"] == "tag":
                item["tag"] = h["text"]
            hits.append(item)
        return {"query": q, "hits": hits}

    def search(self, q: str, limit: int = 10, offset: int = 0, type: str | None = None, tag: str | None = None,
               include_private: bool = False, snippets: bool = True) -> dict[str, Any]:
        """Ranked full text: `{"query", "total", "offset", "limit", "hits": [{slug, title, url, type, snippet, score}]}`."""
        total, found = self.fulltext.search(q, limit, offset, type, tag, include_private, snippets)
        hits = [self.item(n) | {"snippet": sn, "score": round(sc, 4)} for n, sc, sn in found]
        return {"query": q, "total": total, "offset": offset, "limit": limit, "hits": hits}

    def entries(self, type: str | None = None, tag: str | None = None, limit: int = 50, cursor: str | None = None,
                include_private: bool = False) -> dict[str, Any]:
        """Entry summaries in slug order after `cursor` (the last slug seen); `next_cursor` is None at the end."""
        start = bisect_right(self.sorted_slugs, cursor) if cursor else 0
        items: list[dict[str, Any]] = []
        last = None
        for i in self.order[start:]:
            s = self.summaries[i]
            if not (include_private or self.public[i]) or (type and s["type"] != type) or (tag and tag not in s["tags"]):
                continue
            if len(items) == limit:
                return {"items": items, "next_cursor": last}
            items.append(self.item(i) | {"tags": s["tags"], "aliases": s["aliases"], "date": s["date"]})
            last = s["slug"]
        return {"items": items, "next_cursor": None}

    def tags(self, include_private: bool = False) -> list[dict[str, Any]]:
        counts = self.tag_counts[1 if include_private else 0]
        return [{"tag": t, "count": c} for t, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]

    def graph(self, center: str, depth: int = 1, include_private: bool = False) -> dict[str, Any] | None:
        c = self.visible(center, include_private)
        if c is None:
            return None
        nodes, edges, truncated = self.links.neighbourhood(c, depth, include_private)
        return {"center": center, "depth": depth, "truncated": truncated,
                "nodes": [self.item(n) | {"distance": d} for n, d in nodes],
                "edges": [{"source": self.summaries[a]["slug"], "target": self.summaries[b]["slug"], "kind": k}
                          for a, b, k in edges]}

    def path(self, src: str, dst: str, include_private: bool = False) -> list[dict[str, Any]] | None:
        a, b = self.visible(src, include_private), self.visible(dst, include_private)
        if a is None or b is None:
            return None
        p = self.links.path(a, b, include_private)
        return None if p is None else [self.item(n) for n in p]

    def stats(self) -> dict[str, Any]:
        return {"revision": self.revision, "entries": len(self.summaries), "public": sum(self.public),
                "edges": self.edge_count, "search_docs": self.fulltext.num_docs(), "build_seconds": self.build_seconds}
