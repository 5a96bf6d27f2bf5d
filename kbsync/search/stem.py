"""Stemming for search: each entry's language picks a Snowball stemmer (English when the entry names none)."""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

import tantivy

from ..discovery.lang import SNOWBALL, code

DEFAULT = "en"
# tantivy's stemmer filter is the Rust port of the Snowball algorithms nltk's SnowballStemmer runs: the same
# stems (tests/kbsync/search/test_stem.py compares them), at indexing speed (no Python call per word).
LANGS = tuple(SNOWBALL)


def language(rec: Mapping[str, Any], default: str = DEFAULT) -> str | None:
    """The stemmer language of a record: front matter `lang`, else `default`; None for a language that has no
    Snowball stemmer (Chinese, Polish...): its words are matched exactly only."""
    fields = rec.get("fields") or {}
    raw = fields.get("lang") if isinstance(fields, Mapping) else None
    if not isinstance(raw, str) or not raw.strip():
        return default
    c = code(raw)
    return c if c in SNOWBALL else None if c is not None else default


@cache
def analyzer(lang: str) -> tantivy.TextAnalyzer:
    """Words, lowercased, stemmed, then accent-folded (stemmers expect the accents)."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer(SNOWBALL[lang])).filter(tantivy.Filter.ascii_fold()).build())


@lru_cache(maxsize=1)
def words() -> tantivy.TextAnalyzer:
    """The query's words as typed (lowercased, neither folded nor stemmed): each is folded and stemmed after."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase()).build())


@cache
def folded(lang: str) -> tantivy.TextAnalyzer:
    """Stems of already folded, space-separated words (typeahead names and keystrokes)."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
            .filter(tantivy.Filter.stemmer(SNOWBALL[lang])).build())


@lru_cache(maxsize=65536)
def stem_folded(word: str, lang: str) -> str:
    """The stem of one folded word (memoised: keystrokes repeat)."""
    out = folded(lang).analyze(word)
    return out[0] if out else word


def stem(word: str, lang: str) -> str:
    """The stem of one word in `lang` (the word folded when it is not a word the analyzer keeps)."""
    out = analyzer(lang).analyze(word)
    return out[0] if out else word
