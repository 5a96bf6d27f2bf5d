"""Stem counts of an entry's text (what related entries and topics compare), keyword stems boosted."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import cast

from . import lang as L
from .common import Rec


def terms(rec: Rec, lang: str | None = None, keywords: Iterable[str] = (), boost: float = 2.0,
          words: list[str] | None = None) -> Counter[str]:
    """Stem counts of an entry's text (stopwords and 1-2 letter words dropped), keyword stems boosted.
    `words`: the text's lowercased words, when already split."""
    lang = lang or L.language_of(rec)
    st, stop = L.stems(lang), _stop(lang)
    words = L.segment((rec.get("text") or "").lower()) if words is None else words
    # Count words in C first, then filter and stem each distinct word once (a text repeats most of its words);
    # the word -> stem-or-nothing table is kept per language, so a corpus decides each word once.
    c: Counter[str] = Counter()
    table = _kept(lang)
    for w, k in Counter(words).items():
        s = table.get(w)
        if s is None:
            s = table[w] = st(w) if w not in stop and (len(w) > 2 or L._CJK_RUN.match(w)) else ""
        if s:
            c[s] += k
    return cast("Counter[str]", boosted(c, lang, keywords, boost))  # a Counter given: `c` or a Counter copy


def boosted(counts: Mapping[str, float], lang: str, keywords: Iterable[str] = (), boost: float = 2.0,
            ) -> Mapping[str, float]:
    """Stem counts with the stems of an entry's keywords added, `boost` each (a copy; the same counts when none)."""
    keywords = list(keywords)
    if not keywords:
        return counts
    st, stop = L.stems(lang), _stop(lang)
    c = Counter(dict(counts.items()))  # (profiles' counts are arrays: their items come out at C speed)
    for kw in keywords:
        for w in L.segment(kw.lower()):
            if w not in stop:
                c[st(w)] += boost  # type: ignore[assignment]  # float weights
    return c


@lru_cache(maxsize=32)
def _kept(lang: str) -> dict[str, str]:
    return {}


@lru_cache(maxsize=32)
def _stop(lang: str) -> frozenset[str]:
    return L.stopwords(lang) | L.stopwords("en")
