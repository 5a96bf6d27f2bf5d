"""Full-text search: a BM25 tantivy index in RAM over title, aliases, tags, headings and body, stemmed per
entry language, with a typo fallback and type/tag facets."""
from __future__ import annotations

import html
import re
from typing import Any

import tantivy

from ..tags import key as tag_key
from ..tags import keys_with_ancestors
from . import stem
from .normalize import CJK
from .snippets import clean
from .vocab import Vocabulary

# tantivy's simple tokenizer (folded, no stemming) is 6x faster to index than a Unicode regex tokenizer;
# CJK text gets a space between characters before indexing so each character is a word.
_CJK_RUN = re.compile(rf"[{CJK}]{{2,}}")
_CJK_GAP = re.compile(rf"(?<=[{CJK}])((?:</?mark>)?) ((?:</?mark>)?)(?=[{CJK}])")
BOOSTS = {"title": 4.0, "aliases": 3.0, "tags": 2.0, "headings": 1.5, "body": 1.0}
# Per language, the names (title, aliases, tags, headings) stemmed: a copy weighing less than the exact fields,
# so "squats" ranks an entry named "Squats" above one named "Squat". Bodies are not stemmed when indexed (a
# stemmed body field doubled the indexing time): a query word also looks for the body's words that share its
# stem (read from the term dictionary, memoised), weighing INFLECTED of an exact body match.
STEMMED = {"st": 2.0}
INFLECTED = 0.8
MAX_INFLECTIONS = 16
TYPO_WEIGHT = 0.4  # a corrected word's clauses, per edit: a typo match ranks below every exact one
LITTLE = 3  # fewer hits than this and the query's words are tried with typos corrected
SNIPPET_CHARS = 160
FACET_SIZE = {"type": 50, "tag": 30}


def analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).build())


def spaced(text: str) -> str:
    """Put a space between CJK characters (only non-ASCII text is scanned)."""
    return text if text.isascii() else _CJK_RUN.sub(lambda m: " ".join(m.group()), text)


class FullText:
    """Add entries with `add`, then `finish`; `find` returns entry numbers, scores, snippets and facets.

    One indexing thread: with Python feeding documents on the other core, two threads were slower (15 s vs
    10 s for 100k entries on 2 cores).
    """

    def __init__(self, threads: int = 1, default_lang: str = stem.DEFAULT) -> None:
        sb = tantivy.SchemaBuilder()
        for f in BOOSTS:
            sb.add_text_field(f, stored=(f == "body"), tokenizer_name="kb", index_option="freq")
        for lang in stem.LANGS:
            for f in STEMMED:
                sb.add_text_field(f"{f}_{lang}", tokenizer_name=f"kb_{lang}", index_option="freq")
        sb.add_unsigned_field("n", fast=True, indexed=True)
        sb.add_text_field("type", tokenizer_name="raw", fast=True)
        sb.add_text_field("tag", tokenizer_name="raw", fast=True)
        sb.add_unsigned_field("pub", indexed=True)
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema)
        self.analyzer = analyzer()
        self.index.register_tokenizer("kb", self.analyzer)
        for lang in stem.LANGS:
            self.index.register_tokenizer(f"kb_{lang}", stem.analyzer(lang))
        self.default_lang = default_lang
        self.langs: set[str] = set()  # languages some entry was stemmed in: a query is stemmed in each
        self.lang_of: dict[int, str] = {}  # entry number -> its stemmer language (none: matched exactly only)
        self.spelled: dict[str, str] = {}  # folded tag -> as the first entry carrying it spells it
        self.writer: Any = self.index.writer(heap_size=100_000_000, num_threads=threads)
        self.searcher: Any = None
        self._vocab: dict[bool, Vocabulary] = {}
        self._inflections: dict[tuple[str, str], list[str]] = {}

    def add(self, n: int, rec: dict[str, Any], public: bool) -> None:
        doc = tantivy.Document()
        doc.add_unsigned("n", n)
        title = spaced(rec.get("title") or "")
        aliases = spaced(" \n ".join(rec.get("aliases") or []))
        tags = spaced(" ".join(t.replace("/", " ") for t in rec.get("tags") or []))
        headings = spaced(" \n ".join(h.get("text", "") for h in rec.get("headings") or []))
        body = spaced(rec.get("text") or "")
        doc.add_text("title", title)
        doc.add_text("aliases", aliases)
        doc.add_text("tags", tags)
        doc.add_text("headings", headings)
        doc.add_text("body", body)
        lang = stem.language(rec, self.default_lang)
        if lang is not None:
            self.langs.add(lang)
            self.lang_of[n] = lang
            doc.add_text(f"st_{lang}", " \n ".join((title, aliases, tags, headings)))
        else:
            self.lang_of.pop(n, None)
        doc.add_text("type", rec.get("type") or "note")
        for t in rec.get("tags") or []:
            parts = [p for p in str(t).split("/") if p]
            for i in range(1, len(parts) + 1):
                self.spelled.setdefault(tag_key("/".join(parts[:i])), "/".join(parts[:i]))
        for t in keys_with_ancestors(rec.get("tags") or []):  # folded, parents too: `?tag=a` finds `A/b`
            doc.add_text("tag", t)
        doc.add_unsigned("pub", 1 if public else 0)
        self.writer.add_document(doc)

    def finish(self) -> None:
        self.writer.commit()
        self.writer.wait_merging_threads()
        self.writer = None
        self.index.reload()
        self.searcher = self.index.searcher()

    def patched(self, remove: list[int], add: list[tuple[int, dict[str, Any], bool]]) -> FullText:
        """A new FullText over the same index with documents removed and (re)added. This one keeps its own
        searcher, so a model still serving requests sees no change."""
        new = object.__new__(FullText)
        new.schema, new.index, new.analyzer = self.schema, self.index, self.analyzer
        new.default_lang, new.langs = self.default_lang, set(self.langs)
        new.lang_of, new.spelled, new._vocab, new._inflections = dict(self.lang_of), dict(self.spelled), {}, {}
        new.writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for n in sorted(set(remove).union(n for n, _, _ in add)):  # a retried patch must not add twice
            new.writer.delete_documents_by_query(tantivy.Query.term_query(self.schema, "n", n))
        for n, rec, public in add:
            new.add(n, rec, public)
        new.finish()
        return new

    def num_docs(self) -> int:
        return int(self.searcher.num_docs) if self.searcher else 0

    # ---- querying ----------------------------------------------------------------------------

    def _words(self, q: str) -> list[tuple[str, dict[str, str]]]:
        """The query's distinct words (at most 16): each folded, and stemmed in every indexed language."""
        out: dict[str, dict[str, str]] = {}
        for w in stem.words().analyze(spaced(q)):
            folded = self.analyzer.analyze(w)
            if folded and folded[0] not in out:
                out[folded[0]] = {lang: stem.stem(w, lang) for lang in sorted(self.langs)}
        return list(out.items())[:16]

    def vocabulary(self, include_private: bool) -> Vocabulary:
        """The words of the entries a viewer sees (a hidden entry's words must not become corrections)."""
        if include_private not in self._vocab:
            # always a filter: counts without one include deleted (patched out) documents
            Q = tantivy.Query
            only = Q.all_query() if include_private else Q.term_query(self.schema, "pub", 1)
            self._vocab[include_private] = Vocabulary(self.searcher, list(BOOSTS), only)
        return self._vocab[include_private]

    def _fixes(self, words: list[tuple[str, dict[str, str]]], include_private: bool) -> list[list[tuple[str, int]]]:
        """Indexed words a typo away from each query word (none for a word the index has, as is or stemmed)."""
        vocab = self.vocabulary(include_private)
        return [[] if w in vocab.df or any(self._inflected(w, lang) for lang in stems) else vocab.near(w)
                for w, stems in words]

    def _inflected(self, word: str, lang: str) -> list[str]:
        """Body words other than `word` with its stem in `lang`, most frequent first: they begin like the stem
        does, less its last letter (`study` and `studies` share `studi`)."""
        memo = self._inflections.get((word, lang))
        if memo is not None:
            return memo
        target = stem.stem_folded(word, lang)
        out: list[str] = []
        if len(target) >= 3:
            prefix = target[:-1] if len(target) > 3 else target
            for term, _ in self.searcher.terms_with_prefix("body", prefix, None, 400):
                if term != word and stem.stem_folded(term, lang) == target:
                    out.append(term)
                    if len(out) == MAX_INFLECTIONS:
                        break
        if len(self._inflections) > 50_000:  # a long-running server sees many words: start over
            self._inflections.clear()
        self._inflections[(word, lang)] = out
        return out

    def _word(self, word: str, stems: dict[str, str], weight: float) -> list[Any]:
        Q, s = tantivy.Query, self.schema
        opts = [Q.boost_query(Q.term_query(s, f, word), b * weight) for f, b in BOOSTS.items()]
        forms: set[str] = set()
        for lang, st in stems.items():
            opts += [Q.boost_query(Q.term_query(s, f"{f}_{lang}", st), b * weight) for f, b in STEMMED.items()]
            forms.update(self._inflected(word, lang))
        opts += [Q.boost_query(Q.term_query(s, "body", t), INFLECTED * weight) for t in sorted(forms)]
        return opts

    def _match(self, words: list[tuple[str, dict[str, str]]], fixes: list[list[tuple[str, int]]] | None,
               conjunction: bool) -> Any:
        """Each word (or, with `fixes`, a correction of it) in any field, stemmed or not: all of them, or any."""
        Q = tantivy.Query
        occur = tantivy.Occur.Must if conjunction else tantivy.Occur.Should
        clauses = []
        for i, (w, stems) in enumerate(words):
            opts = self._word(w, stems, 1.0)
            for fix, d in (fixes[i] if fixes else []):
                opts += self._word(fix, {lang: stem.stem(fix, lang) for lang in stems}, TYPO_WEIGHT ** d)
            clauses.append((occur, Q.disjunction_max_query(opts, 0.2)))
        return Q.boolean_query(clauses)

    def _filtered(self, match: Any, type: str | None, tag: str | None, include_private: bool) -> Any:
        Q, s = tantivy.Query, self.schema
        parts = [(tantivy.Occur.Must, match)]
        if type:
            parts.append((tantivy.Occur.Must, Q.term_query(s, "type", type)))
        if tag:
            parts.append((tantivy.Occur.Must, Q.term_query(s, "tag", tag_key(tag))))
        if not include_private:
            parts.append((tantivy.Occur.Must, Q.term_query(s, "pub", 1)))
        return Q.boolean_query(parts)

    def search(self, q: str, limit: int, offset: int, type: str | None, tag: str | None,
               include_private: bool, snippets: bool = True) -> tuple[int, list[tuple[int, float, str]]]:
        """(total, [(n, score, snippet)]) of `find`."""
        found = self.find(q, limit, offset, type, tag, include_private, snippets, facets=False)
        return found["total"], found["hits"]

    def find(self, q: str, limit: int, offset: int, type: str | None, tag: str | None, include_private: bool,
             snippets: bool = True, facets: bool = True) -> dict[str, Any]:
        """Every word must match somewhere, as typed or inflected; with fewer than LITTLE hits, words the index
        lacks are corrected (typos); with none, any word will do. Returns {total, hits: [(n, score, snippet)],
        fuzzy (corrections were used), facets: {type: [(value, count)], tag: [(value, count)]}}."""
        words = self._words(q)
        out: dict[str, Any] = {"total": 0, "hits": [], "fuzzy": False, "facets": {"type": [], "tag": []}}
        if not words or self.searcher is None:
            return out
        best: tuple[int, Any, Any, bool] | None = None
        fixes: list[list[tuple[str, int]]] | None = None
        for conjunction, fuzzy in ((True, False), (True, True), (False, True)):
            if best is not None and (best[0] >= LITTLE or (not conjunction and best[0])):
                break
            if fuzzy:
                fixes = self._fixes(words, include_private) if fixes is None else fixes
                if conjunction and not any(fixes):
                    continue  # the same query again
            match = self._match(words, fixes if fuzzy else None, conjunction)
            res = self.searcher.search(self._filtered(match, type, tag, include_private), limit, count=True,
                                       offset=offset)
            if best is None or res.count > best[0]:
                best = (int(res.count or 0), match, res, fuzzy and any(fixes or []))
        assert best is not None
        total, match, res, fuzzy = best
        out.update(total=total, fuzzy=fuzzy)
        if facets and total:
            out["facets"] = self._facets(match, type, tag, include_private)
        if not res.hits:
            return out
        addrs = [a for _, a in res.hits]
        ns = self.searcher.fast_field_values("n", addrs)
        snips = self._snippets(match, addrs) if snippets else [""] * len(addrs)
        out["hits"] = [(int(n), float(sc), sn) for n, (sc, _), sn in zip(ns, res.hits, snips, strict=True)]
        return out

    def _snippets(self, match: Any, addrs: list[Any]) -> list[str]:
        """Each hit's best body passage; inflected and corrected words are body terms of the query, so they are
        highlighted too."""
        gen = tantivy.SnippetGenerator.create(self.searcher, match, self.schema, "body")
        gen.set_max_num_chars(SNIPPET_CHARS)
        out = []
        for a in addrs:
            doc = self.searcher.doc(a)
            out.append(render(gen.snippet_from_doc(doc), doc.get_first("body") or ""))
        return out

    def _facets(self, match: Any, type: str | None, tag: str | None,
                include_private: bool) -> dict[str, list[tuple[str, int]]]:
        """Hits per type and per tag (parents count their children's entries). Each facet is counted with the
        other facet's filter only, so every choice it offers shows how many hits picking it gives."""
        aggs = {f: {"terms": {"field": f, "size": size}} for f, size in FACET_SIZE.items()}
        if type or tag:
            found = self.searcher.aggregate(self._filtered(match, None, tag, include_private), {"type": aggs["type"]})
            found |= self.searcher.aggregate(self._filtered(match, type, None, include_private), {"tag": aggs["tag"]})
        else:
            found = self.searcher.aggregate(self._filtered(match, None, None, include_private), aggs)
        out: dict[str, list[tuple[str, int]]] = {}
        for f in FACET_SIZE:
            buckets = [(str(b["key"]), int(b["doc_count"])) for b in found.get(f, {}).get("buckets", [])]
            if f == "tag":
                buckets = [(self.spelled.get(k, k), c) for k, c in buckets]
            out[f] = sorted(buckets, key=lambda kc: (-kc[1], kc[0]))
        return out


def render(snippet: Any, body: str) -> str:
    """HTML-escaped fragment with <mark> around matched words (or the body's start when no word matched),
    free of the Markdown a plain-text body keeps (table pipes, rules, math)."""
    out = re.sub(r"\s+", " ", _render(snippet, body)).strip()
    return out if out.isascii() else _CJK_GAP.sub(r"\1\2", out)


def _render(snippet: Any, body: str) -> str:
    frag = snippet.fragment()
    if not frag:
        body = clean(body).strip()
        cut = body[:SNIPPET_CHARS]
        return html.escape(cut.rsplit(" ", 1)[0] if len(body) > SNIPPET_CHARS and " " in cut else cut)
    raw = frag.encode("utf-8")
    out, pos = [], 0
    for r in snippet.highlighted():
        out.append(html.escape(clean(raw[pos:r.start].decode("utf-8", "replace"))))
        out.append("<mark>" + html.escape(raw[r.start:r.end].decode("utf-8", "replace")) + "</mark>")
        pos = r.end
    out.append(html.escape(clean(raw[pos:].decode("utf-8", "replace"))))
    return "".join(out)
