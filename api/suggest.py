"""Typeahead over titles, aliases and tags: start-of-name prefixes in Python, words and typos in tantivy."""
from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

import tantivy
from rapidfuzz.distance import OSA

from api.normalize import MAX_TOKENS, key, tokens, typo_budget

TITLE, ALIAS, TAG = 0, 1, 2
KIND_NAMES = ("title", "alias", "tag")
_BIG = 256  # prefix ranges larger than this get a precomputed top list
_TOP = 64
_HI = "\U0010ffff"


class SuggestIndex:
    """Names (title, alias, tag) of visible entries; `pop` is each entry's public inbound link count."""

    def __init__(self, names: list[tuple[int, int, str]], pop: Sequence[int], public: Sequence[bool]):
        tags = [n for n in names if n[1] == TAG]
        names = [n for n in names if n[1] != TAG] + tags
        self.n_words = len(names) - len(tags)
        self.entry = [n[0] for n in names]
        self.kind = [n[1] for n in names]
        self.text = [n[2] for n in names]
        self.pop = pop
        self.public = public
        self.ranks = [(k, -pop[e], len(t)) for e, k, t in names]
        folded = [key(t) for _, _, t in names]
        self.folded = folded
        # start-of-name tier over titles and aliases: sorted folded keys
        pairs = sorted((folded[i], i) for i in range(self.n_words) if folded[i])
        self.keys = [p[0] for p in pairs]
        self.key_ids = [p[1] for p in pairs]
        self.big: dict[str, list[int]] = {}
        self._precompute(0, len(self.keys), 1)
        # tags: a sorted list of distinct folded tags, each with its names, most linked entry first
        by_tag: dict[str, list[int]] = {}
        for i in range(self.n_words, len(names)):
            by_tag.setdefault(folded[i], []).append(i)
        self.tag_keys = sorted(k for k in by_tag if k)
        self.tag_names = [heapq.nsmallest(_TOP * 4, by_tag[k], key=self.ranks.__getitem__) for k in self.tag_keys]
        self.index = self._build_words(folded[: self.n_words])
        self.searcher = self.index.searcher()
        self.schema = self.index.schema

    def _rank(self, n: int) -> tuple[int, int, int]:
        return self.ranks[n]

    def _precompute(self, lo: int, hi: int, depth: int) -> None:
        """Top names for every prefix whose range is too big to sort per keystroke."""
        keys, i = self.keys, lo
        while i < hi:
            p = keys[i][:depth]
            j = i + 1 if len(p) < depth else bisect_left(keys, p + _HI, i, hi)
            if j - i > _BIG:
                self.big[p] = heapq.nsmallest(_TOP, self.key_ids[i:j], key=self.ranks.__getitem__)
                self._precompute(i, j, depth + 1)
            i = j

    def _build_words(self, folded: list[str]) -> tantivy.Index:
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("w", tokenizer_name="whitespace", index_option="freq")
        sb.add_unsigned_field("n", fast=True)
        sb.add_unsigned_field("wt", fast=True)
        sb.add_unsigned_field("pub", indexed=True)
        index = tantivy.Index(sb.build())
        writer = index.writer(heap_size=64_000_000, num_threads=1)
        factor = (8, 4, 1)
        for i, words in enumerate(folded):
            e, k = self.entry[i], self.kind[i]
            doc = tantivy.Document()
            doc.add_text("w", words)
            doc.add_unsigned("n", i)
            doc.add_unsigned("wt", (self.pop[e] + 1) * factor[k])
            doc.add_unsigned("pub", 1 if self.public[e] else 0)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        return index

    # ---- querying ----------------------------------------------------------------------------

    def suggest(self, q: str, limit: int = 10, include_private: bool = False) -> list[dict[str, Any]]:
        toks = tokens(q)[:MAX_TOKENS]
        if not toks or limit <= 0:
            return []
        seen: set[int] = set()
        out: list[tuple[int, float]] = []

        def take(ids: list[int], scores: list[float] | None = None) -> bool:
            for pos, n in enumerate(ids):
                e = self.entry[n]
                if e in seen or not (include_private or self.public[e]):
                    continue
                seen.add(e)
                out.append((n, scores[pos] if scores else 0.0))
                if len(out) >= limit:
                    return True
            return False

        tier = 1000.0
        qk = " ".join(toks)
        pref = self._prefix(qk, limit * 2 + 8)
        if take(pref, [tier - i * 0.01 for i in range(len(pref))]):
            return self._hits(out)
        for mode in ("exact", "tag", "typo", "relaxed"):
            tier /= 10
            if mode == "tag":
                tagged = self._tags(qk)
                if take(tagged, [tier] * len(tagged)):
                    break
                continue
            if mode == "relaxed" and out:
                break
            if mode != "exact" and not any(typo_budget(t, mode == "relaxed") for t in toks):
                continue
            ids, scores = self._words(toks, mode, include_private, limit * 3 + 8)
            if take(ids, [tier + s / 1000 for s in scores]):
                break
        return self._hits(out)

    def _prefix(self, qk: str, want: int) -> list[int]:
        keys, ids = self.keys, self.key_ids
        lo = bisect_left(keys, qk)
        mid = bisect_right(keys, qk, lo)
        hi = bisect_left(keys, qk + _HI, mid)
        exact = sorted(ids[lo:mid], key=self.ranks.__getitem__)
        if qk in self.big:
            rest = self.big[qk]
        else:
            rest = heapq.nsmallest(max(want, _TOP), ids[mid:hi], key=self.ranks.__getitem__)
        return exact + [n for n in rest if n not in exact]

    def _tags(self, qk: str) -> list[int]:
        """Entries carrying a tag that equals or starts with the query, exact tags first."""
        lo = bisect_left(self.tag_keys, qk)
        hi = bisect_left(self.tag_keys, qk + _HI, lo)
        found = sorted(range(lo, min(hi, lo + 8)), key=lambda t: (self.tag_keys[t] != qk, len(self.tag_keys[t])))
        return [n for t in found for n in self.tag_names[t]]

    def _words(self, toks: list[str], mode: str, include_private: bool, k: int) -> tuple[list[int], list[float]]:
        Q, s = tantivy.Query, self.schema
        must = []
        last = len(toks) - 1
        for i, t in enumerate(toks):
            opts = [Q.const_score_query(Q.term_query(s, "w", t), 4.0)]
            if i == last:
                opts.append(Q.const_score_query(Q.fuzzy_term_query(s, "w", t, 0, True, True), 3.0))
            if mode != "exact":  # fewer typos score higher: one clause per distance
                for d in range(1, typo_budget(t, mode == "relaxed") + 1):
                    opts.append(Q.const_score_query(Q.fuzzy_term_query(s, "w", t, d, True, False), 2.6 - 0.6 * d))
                    if i == last:
                        opts.append(Q.const_score_query(Q.fuzzy_term_query(s, "w", t, d, True, True), 1.3 - 0.3 * d))
            must.append((tantivy.Occur.Must, Q.disjunction_max_query(opts)))
        if not include_private:
            must.append((tantivy.Occur.Must, Q.term_query(s, "pub", 1)))
        query = Q.boolean_query(must)
        if mode == "exact":
            res = self.searcher.search(query, k, count=False, weight_by_field="wt")
        else:
            res = self.searcher.search(query, k, count=False)
        if not res.hits:
            return [], []
        addrs = [a for _, a in res.hits]
        ns = self.searcher.fast_field_values("n", addrs)
        scores = [float(sc) for sc, _ in res.hits]
        if mode != "exact":  # fewest typos first (whole words before prefixes), then the more often linked
            typos = [self._typos(toks, self.folded[n]) for n in ns]
            order = sorted(range(len(ns)), key=lambda j: (typos[j], -scores[j], self._rank(ns[j])))
            ns, scores = [ns[j] for j in order], [scores[j] for j in order]
        return ns, scores

    @staticmethod
    def _typos(toks: list[str], name: str) -> tuple[int, int]:
        """(edits, prefix matches) of the query against a name: each query word to its closest name word (a
        different first letter counts as one more edit, as in Meilisearch), the last one also to a word's start."""
        words = name.split()
        edits = prefixes = 0
        last = len(toks) - 1
        for i, t in enumerate(toks):
            best = (9, 0)
            for w in words:
                first = int(t[0] != w[0])
                best = min(best, (OSA.distance(t, w, score_cutoff=3) + first, 0))
                if i == last and best[0]:
                    n = len(t)
                    for m in range(max(1, n - 2), min(len(w), n + 2) + 1):
                        best = min(best, (OSA.distance(t, w[:m], score_cutoff=3) + first, 1))
            edits += best[0]
            prefixes += best[1]
        return edits, prefixes

    def _hits(self, out: list[tuple[int, float]]) -> list[dict[str, Any]]:
        return [{"entry": self.entry[n], "matched": KIND_NAMES[self.kind[n]], "text": self.text[n],
                 "score": round(score, 4)} for n, score in out]
