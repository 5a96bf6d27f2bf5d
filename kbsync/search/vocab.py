"""Typo fallback: the index's own words close to a query word (rapidfuzz over the term dictionary)."""
from __future__ import annotations

from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .normalize import typo_budget

MAX_FIXES = 4  # corrections kept per query word: the closest, then the most frequent


class Vocabulary:
    """Every distinct word of some fields with its document frequency, grouped by length, counting
    only the documents `only` matches; read from the index's term dictionary on first use (an index answering only exact queries never pays for it)."""

    def __init__(self, searcher: Any, fields: list[str], only: Any = None) -> None:
        df: dict[str, int] = {}
        for f in fields:
            for term, n in searcher.terms_with_prefix(f, "", only):
                if n:
                    df[term] = df.get(term, 0) + n
        self.df = df
        self.by_len: dict[int, list[str]] = {}
        for term in df:
            self.by_len.setdefault(len(term), []).append(term)

    def near(self, word: str) -> list[tuple[str, int]]:
        """(word, edits) of indexed words within the word's typo budget (transpositions count one edit),
        fewest edits first, then most frequent; the word itself is not among them."""
        budget = typo_budget(word)
        if not budget:
            return []
        found: list[tuple[int, int, str]] = []
        for n in range(len(word) - budget, len(word) + budget + 1):
            terms = self.by_len.get(n)
            if not terms:
                continue
            for term, d, _ in process.extract(word, terms, scorer=OSA.distance, score_cutoff=budget, limit=None):
                if d:
                    found.append((d, -self.df[term], term))
        found.sort()
        return [(t, d) for d, _, t in found[:MAX_FIXES]]
