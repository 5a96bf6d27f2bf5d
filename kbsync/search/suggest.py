"""Typeahead over titles, aliases and tags: start-of-name prefixes in Python, words and typos in tantivy."""
from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from typing import Any

import tantivy
from rapidfuzz.distance import OSA

from . import stem
from .normalize import MAX_TOKENS, key, tokens, typo_budget

TITLE, ALIAS, TAG = 0, 1, 2
KIND_NAMES = ("title", "alias", "tag")
_BIG = 256  # prefix ranges larger than this get a precomputed top list
_TOP = 64
_HI = "\U0010ffff"


class SuggestIndex:
    """Names (title, alias, tag) of visible entries; `pop` is each entry's public inbound link count.

    Ranks are total (kind, popularity, length, slug, folded name, position among the entry's names), so an index
    patched with `patched` answers exactly like one built from scratch whatever the name numbers are.
    """

    def __init__(self, names: list[tuple[int, int, str]], pop: Sequence[int], public: Sequence[bool],
                 slugs: Sequence[str], langs: Mapping[int, str] | None = None):
        self.entry: list[int] = []
        self.kind: list[int] = []
        self.text: list[str] = []
        self.slug: list[str] = []  # each name's entry slug (shared string objects)
        self.pos: list[int] = []  # each name's position among its entry's names
        self.folded: list[str] = []
        self.names_of: list[list[int]] = []  # each entry's name numbers
        self.pop, self.public = pop, public
        self._languages(langs)
        self._append(names, slugs)
        # start-of-name tier over titles and aliases: sorted folded keys
        pairs = sorted((f, i) for i, f in enumerate(self.folded) if f and self.kind[i] != TAG)
        self.keys = [p[0] for p in pairs]
        self.key_ids = [p[1] for p in pairs]
        self.big: dict[str, list[int]] = {}
        self._precompute(0, len(self.keys), 1)
        # tags: distinct folded tags, each with its names, most linked entry first
        self.tag_ids: dict[str, list[int]] = {}
        for i, f in enumerate(self.folded):
            if f and self.kind[i] == TAG:
                self.tag_ids.setdefault(f, []).append(i)
        self.tag_keys = sorted(self.tag_ids)
        self.tag_top = {k: heapq.nsmallest(_TOP * 4, v, key=self._rank) for k, v in self.tag_ids.items()}
        self.index = self._new_index()
        self.searcher = self._write(self.index, [], [i for i, k in enumerate(self.kind) if k != TAG])
        self.schema = self.index.schema

    def _append(self, names: list[tuple[int, int, str]], slugs: Any) -> list[int]:
        """Number the names (after the existing ones); returns their numbers."""
        first = len(self.entry)
        for e, k, t in names:
            f = key(t)
            if e >= len(self.names_of):
                self.names_of.extend([] for _ in range(e + 1 - len(self.names_of)))
            own = self.names_of[e]
            self.slug.append(slugs[e])
            self.pos.append(len(own))
            own.append(len(self.entry))
            self.entry.append(e)
            self.kind.append(k)
            self.text.append(t)
            self.folded.append(f)
        return list(range(first, len(self.entry)))

    def _languages(self, langs: Mapping[int, str] | None) -> None:
        """Each entry's stemmer language (None: every entry is English); a query is stemmed in each."""
        self.lang_of: Mapping[int, str] | None = langs
        self.langs = sorted(set(langs.values())) if langs is not None else [stem.DEFAULT]

    def _lang(self, e: int) -> str | None:
        return self.lang_of.get(e) if self.lang_of is not None else stem.DEFAULT

    def patched(self, entries: list[int], names: list[tuple[int, int, str]], pop: Sequence[int],
                public: Sequence[bool], slugs: dict[int, str], langs: Mapping[int, str] | None = None) -> SuggestIndex:
        """A new index with every name of `entries` dropped and `names` (of some of those entries) added;
        `pop`, `public` and `langs` are the new model's. This one, still serving, is unchanged."""
        new = object.__new__(SuggestIndex)
        new._languages(langs)
        new.entry, new.kind, new.text = list(self.entry), list(self.kind), list(self.text)
        new.slug, new.pos = list(self.slug), list(self.pos)
        new.folded, new.names_of = list(self.folded), list(self.names_of)
        new.pop, new.public, new.schema, new.index = pop, public, self.schema, self.index
        gone: list[int] = []
        for e in entries:
            if e < len(new.names_of):
                gone += new.names_of[e]
                new.names_of[e] = []
        added = new._append(names, slugs)
        gone_set = set(gone)
        # start-of-name keys; a new name has the highest number so it goes last among equal keys
        keys, ids = list(self.keys), list(self.key_ids)
        touched: set[str] = set()
        for i in gone:
            f = new.folded[i]
            if f and new.kind[i] != TAG:
                lo = bisect_left(keys, f)
                at = ids.index(i, lo, bisect_right(keys, f, lo))
                del keys[at], ids[at]
                touched.update(f[:d] for d in range(1, len(f) + 1))
        fresh_words = [i for i in added if new.folded[i] and new.kind[i] != TAG]
        for i in fresh_words:
            f = new.folded[i]
            at = bisect_right(keys, f)
            keys.insert(at, f)
            ids.insert(at, i)
            touched.update(f[:d] for d in range(1, len(f) + 1))
        new.keys, new.key_ids, new.big = keys, ids, dict(self.big)
        rank = new._rank
        for p in touched:
            lo = bisect_left(keys, p)
            hi = bisect_left(keys, p + _HI, lo)
            top = new.big.get(p)
            if hi - lo <= _BIG:
                new.big.pop(p, None)
            elif top is None or any(i in gone_set for i in top):
                new.big[p] = heapq.nsmallest(_TOP, ids[lo:hi], key=rank)
            else:
                more = [i for i in fresh_words if new.folded[i].startswith(p)]
                if more:
                    new.big[p] = heapq.nsmallest(_TOP, top + more, key=rank)
        # tags
        new.tag_ids, new.tag_top, new.tag_keys = dict(self.tag_ids), dict(self.tag_top), self.tag_keys
        changed_tags: set[str] = set()
        for i in gone + added:
            if new.folded[i] and new.kind[i] == TAG:
                changed_tags.add(new.folded[i])
        for t in changed_tags:
            members = [i for i in new.tag_ids.get(t, []) if i not in gone_set]
            members += [i for i in added if new.kind[i] == TAG and new.folded[i] == t]
            if members:
                new.tag_ids[t] = members
                new.tag_top[t] = heapq.nsmallest(_TOP * 4, members, key=rank)
            else:
                new.tag_ids.pop(t, None)
                new.tag_top.pop(t, None)
        if changed_tags:
            new.tag_keys = sorted(new.tag_ids)
        new.searcher = new._write(self.index, [i for i in gone if new.kind[i] != TAG],
                                  [i for i in added if new.kind[i] != TAG])
        return new

    def _rank(self, n: int) -> tuple[Any, ...]:
        """Total order of names, computed when needed: a stored tuple per name cost ~15 MB at 100k entries."""
        return (self.kind[n], -self.pop[self.entry[n]], len(self.text[n]), self.slug[n], self.folded[n], self.pos[n])

    def _precompute(self, lo: int, hi: int, depth: int) -> None:
        """Top names for every prefix whose range is too big to sort per keystroke."""
        keys, i = self.keys, lo
        while i < hi:
            p = keys[i][:depth]
            j = i + 1 if len(p) < depth else bisect_left(keys, p + _HI, i, hi)
            if j - i > _BIG:
                self.big[p] = heapq.nsmallest(_TOP, self.key_ids[i:j], key=self._rank)
                self._precompute(i, j, depth + 1)
            i = j

    @staticmethod
    def _new_index() -> tantivy.Index:
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("w", tokenizer_name="whitespace", index_option="freq")
        for lang in stem.LANGS:  # the name's words stemmed in its entry's language
            sb.add_text_field(f"s_{lang}", tokenizer_name=f"stem_{lang}", index_option="basic")
        sb.add_unsigned_field("n", fast=True, indexed=True)
        sb.add_unsigned_field("wt", fast=True)
        sb.add_unsigned_field("pub", indexed=True)
        index = tantivy.Index(sb.build())
        for lang in stem.LANGS:
            index.register_tokenizer(f"stem_{lang}", stem.folded(lang))
        return index

    def _write(self, index: tantivy.Index, remove: list[int], add: list[int]) -> Any:
        """Delete and add title/alias documents; returns a searcher over the result."""
        writer = index.writer(heap_size=64_000_000 if len(add) > 1000 else 15_000_000, num_threads=1)
        factor = (8, 4, 1)
        for i in remove + add:  # a retried patch (same numbers) must not add twice
            writer.delete_documents_by_query(tantivy.Query.term_query(index.schema, "n", i))
        for i in add:
            e, k = self.entry[i], self.kind[i]
            doc = tantivy.Document()
            doc.add_text("w", self.folded[i])
            lang = self._lang(e)
            if lang is not None:
                doc.add_text(f"s_{lang}", self.folded[i])
            doc.add_unsigned("n", i)
            doc.add_unsigned("wt", (self.pop[e] + 1) * factor[k])
            doc.add_unsigned("pub", 1 if self.public[e] else 0)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        return index.searcher()

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
        for mode in ("exact", "stem", "tag", "typo", "relaxed"):
            tier /= 10
            if mode == "tag":
                tagged = self._tags(qk)
                if take(tagged, [tier] * len(tagged)):
                    break
                continue
            if mode == "relaxed" and out:
                break
            if mode == "stem":  # inflected forms: after every exact match, before typos
                stems = [{lang: stem.stem_folded(t, lang) for lang in self.langs} for t in toks]
                if all(st == t for t, by in zip(toks, stems, strict=True) for st in by.values()):
                    continue  # no word has another stem: the exact tier asked the same
            elif mode != "exact" and not any(typo_budget(t, mode == "relaxed") for t in toks):
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
        exact = sorted(ids[lo:mid], key=self._rank)
        if qk in self.big:
            rest = self.big[qk]
        else:
            rest = heapq.nsmallest(max(want, _TOP), ids[mid:hi], key=self._rank)
        return exact + [n for n in rest if n not in exact]

    def _tags(self, qk: str) -> list[int]:
        """Entries carrying a tag that equals or starts with the query, exact tags first."""
        lo = bisect_left(self.tag_keys, qk)
        hi = bisect_left(self.tag_keys, qk + _HI, lo)
        found = sorted(self.tag_keys[lo:min(hi, lo + 8)], key=lambda t: (t != qk, len(t)))
        return [n for t in found for n in self.tag_top[t]]

    def _words(self, toks: list[str], mode: str, include_private: bool, k: int) -> tuple[list[int], list[float]]:
        Q, s = tantivy.Query, self.schema
        must = []
        last = len(toks) - 1
        for i, t in enumerate(toks):
            opts = [Q.const_score_query(Q.term_query(s, "w", t), 4.0)]
            if mode == "stem":
                opts += [Q.const_score_query(Q.term_query(s, f"s_{lang}", stem.stem_folded(t, lang)), 3.5)
                         for lang in self.langs]
            if i == last:
                opts.append(Q.const_score_query(Q.fuzzy_term_query(s, "w", t, 0, True, True), 3.0))
            if mode in ("typo", "relaxed"):  # fewer typos score higher: one clause per distance
                for d in range(1, typo_budget(t, mode == "relaxed") + 1):
                    opts.append(Q.const_score_query(Q.fuzzy_term_query(s, "w", t, d, True, False), 2.6 - 0.6 * d))
                    if i == last:
                        opts.append(Q.const_score_query(Q.fuzzy_term_query(s, "w", t, d, True, True), 1.3 - 0.3 * d))
            must.append((tantivy.Occur.Must, Q.disjunction_max_query(opts)))
        if not include_private:
            must.append((tantivy.Occur.Must, Q.term_query(s, "pub", 1)))
        query = Q.boolean_query(must)
        if mode in ("exact", "stem"):
            res = self.searcher.search(query, k, count=False, weight_by_field="wt")
        else:
            res = self.searcher.search(query, k, count=False)
        if not res.hits:
            return [], []
        addrs = [a for _, a in res.hits]
        ns = self.searcher.fast_field_values("n", addrs)
        scores = [float(sc) for sc, _ in res.hits]
        if mode == "exact":  # equal scores in rank order, not in index order
            order = sorted(range(len(ns)), key=lambda j: (-scores[j], self._rank(ns[j])))
            ns, scores = [ns[j] for j in order], [scores[j] for j in order]
        else:  # fewest typos first (whole words before prefixes), then the more often linked; for stems, the
            # closest spelling first ("introducs" is nearer "introduces" than "introduced")
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
