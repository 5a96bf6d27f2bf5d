"""Full-text search: a BM25 tantivy index in RAM over title, aliases, tags, headings and body."""
from __future__ import annotations

import html
import re
from typing import Any

import tantivy

from ..tags import key as tag_key
from ..tags import keys_with_ancestors
from .normalize import CJK

# tantivy's simple tokenizer (folded, no stemming) is 6x faster to index than a Unicode regex tokenizer;
# CJK text gets a space between characters before indexing so each character is a word.
_CJK_RUN = re.compile(rf"[{CJK}]{{2,}}")
_CJK_GAP = re.compile(rf"(?<=[{CJK}])((?:</?mark>)?) ((?:</?mark>)?)(?=[{CJK}])")
BOOSTS = {"title": 4.0, "aliases": 3.0, "tags": 2.0, "headings": 1.5, "body": 1.0}
SNIPPET_CHARS = 160


def analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).build())


def spaced(text: str) -> str:
    """Put a space between CJK characters (only non-ASCII text is scanned)."""
    return text if text.isascii() else _CJK_RUN.sub(lambda m: " ".join(m.group()), text)


class FullText:
    """Add entries with `add`, then `finish`; `search` returns entry numbers, scores and snippets.

    One indexing thread: with Python feeding documents on the other core, two threads were slower (15 s vs
    10 s for 100k entries on 2 cores).
    """

    def __init__(self, threads: int = 1) -> None:
        sb = tantivy.SchemaBuilder()
        for f in BOOSTS:
            sb.add_text_field(f, stored=(f == "body"), tokenizer_name="kb", index_option="freq")
        sb.add_unsigned_field("n", fast=True, indexed=True)
        sb.add_text_field("type", tokenizer_name="raw")
        sb.add_text_field("tag", tokenizer_name="raw")
        sb.add_unsigned_field("pub", indexed=True)
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema)
        self.analyzer = analyzer()
        self.index.register_tokenizer("kb", self.analyzer)
        self.writer: Any = self.index.writer(heap_size=100_000_000, num_threads=threads)
        self.searcher: Any = None

    def add(self, n: int, rec: dict[str, Any], public: bool) -> None:
        doc = tantivy.Document()
        doc.add_unsigned("n", n)
        doc.add_text("title", spaced(rec.get("title") or ""))
        doc.add_text("aliases", spaced(" \n ".join(rec.get("aliases") or [])))
        doc.add_text("tags", spaced(" ".join(t.replace("/", " ") for t in rec.get("tags") or [])))
        doc.add_text("headings", spaced(" \n ".join(h.get("text", "") for h in rec.get("headings") or [])))
        doc.add_text("body", spaced(rec.get("text") or ""))
        doc.add_text("type", rec.get("type") or "note")
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
        new.writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for n in sorted(set(remove).union(n for n, _, _ in add)):  # a retried patch must not add twice
            new.writer.delete_documents_by_query(tantivy.Query.term_query(self.schema, "n", n))
        for n, rec, public in add:
            new.add(n, rec, public)
        new.finish()
        return new

    def num_docs(self) -> int:
        return int(self.searcher.num_docs) if self.searcher else 0

    def _query(self, q: str, conjunction: bool, type: str | None, tag: str | None, include_private: bool) -> Any:
        Q, s = tantivy.Query, self.schema
        terms = list(dict.fromkeys(self.analyzer.analyze(spaced(q))))[:16]
        if not terms:
            return None
        occur = tantivy.Occur.Must if conjunction else tantivy.Occur.Should
        clauses = [(occur, Q.disjunction_max_query(
            [Q.boost_query(Q.term_query(s, f, t), b) for f, b in BOOSTS.items()], 0.2)) for t in terms]
        parts = [(tantivy.Occur.Must, Q.boolean_query(clauses))]
        if type:
            parts.append((tantivy.Occur.Must, Q.term_query(s, "type", type)))
        if tag:
            parts.append((tantivy.Occur.Must, Q.term_query(s, "tag", tag_key(tag))))
        if not include_private:
            parts.append((tantivy.Occur.Must, Q.term_query(s, "pub", 1)))
        return Q.boolean_query(parts)

    def search(self, q: str, limit: int, offset: int, type: str | None, tag: str | None,
               include_private: bool, snippets: bool = True) -> tuple[int, list[tuple[int, float, str]]]:
        """Every word must match somewhere (falling back to any word); returns (total, [(n, score, snippet)])."""
        for conjunction in (True, False):
            query = self._query(q, conjunction, type, tag, include_private)
            if query is None:
                return 0, []
            res = self.searcher.search(query, limit, count=True, offset=offset)
            if res.count:
                break
        if not res.hits:
            return int(res.count or 0), []
        addrs = [a for _, a in res.hits]
        ns = self.searcher.fast_field_values("n", addrs)
        snips = [""] * len(addrs)
        if snippets:
            gen = tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
            gen.set_max_num_chars(SNIPPET_CHARS)
            for i, a in enumerate(addrs):
                doc = self.searcher.doc(a)
                snips[i] = render(gen.snippet_from_doc(doc), doc)
        return int(res.count), [(int(n), float(sc), sn) for n, (sc, _), sn in zip(ns, res.hits, snips, strict=True)]


def render(snippet: Any, doc: Any) -> str:
    """HTML-escaped fragment with <mark> around matched words (or the body's start when no word matched)."""
    out = _render(snippet, doc).strip()
    return out if out.isascii() else _CJK_GAP.sub(r"\1\2", out)


def _render(snippet: Any, doc: Any) -> str:
    frag = snippet.fragment()
    if not frag:
        body = (doc.get_first("body") or "").strip()
        cut = body[:SNIPPET_CHARS]
        return html.escape(cut.rsplit(" ", 1)[0] if len(body) > SNIPPET_CHARS and " " in cut else cut)
    raw = frag.encode("utf-8")
    out, pos = [], 0
    for r in snippet.highlighted():
        out.append(html.escape(raw[pos:r.start].decode("utf-8", "replace")))
        out.append("<mark>" + html.escape(raw[r.start:r.end].decode("utf-8", "replace")) + "</mark>")
        pos = r.end
    out.append(html.escape(raw[pos:].decode("utf-8", "replace")))
    return "".join(out)
