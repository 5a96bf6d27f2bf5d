"""YAKE's scoring over plain dicts and lists: the same keywords and scores as `yake.KeywordExtractor`, faster.

Stock YAKE 0.7 spends most of its time in per-word objects, a networkx graph and `numpy.median` on tiny lists.
This keeps YAKE's own tokeniser, tagger, stopwords and deduplication function and redoes only the bookkeeping
and the feature formulas (yake/data/core.py, single_word.py, composed_word.py), with plain dicts and floats.
`tests/kbsync/discovery/test_yakelite.py` checks the output equals stock YAKE's on real and generated texts."""
from __future__ import annotations

import math
import string
from statistics import median
from typing import Any

import numpy as np
from yake import KeywordExtractor
from yake.data.utils import get_tag, pre_filter, tokenize_sentences

_EXCLUDE = frozenset(string.punctuation)
_PUNCT = string.punctuation
_DISCARD = frozenset("ud")


class _Term:
    """One normalised word: its counts, sentence occurrences and co-occurrence edges."""

    __slots__ = ("id", "stop", "tf", "tf_a", "tf_n", "sents", "succ", "pred", "h")

    def __init__(self, idx: int, stop: bool) -> None:
        self.id, self.stop = idx, stop
        self.tf = self.tf_a = self.tf_n = 0.0
        self.h = 0.0
        self.sents: dict[int, None] = {}  # sentence ids, in first-seen order (YAKE's `occurs` keys)
        self.succ: dict[int, float] = {}  # right neighbour id -> count (YAKE's out-edges)
        self.pred: dict[int, float] = {}


class _Cand:
    """A candidate phrase: its first spelling, the tag patterns seen, its terms and count."""

    __slots__ = ("kw", "tags", "terms", "tf", "h", "edge_stop")

    def __init__(self, kw: str, tags: str, terms: list[_Term]) -> None:
        self.kw, self.tags, self.terms = kw, {tags}, terms
        self.tf, self.h = 0.0, 1.0
        self.edge_stop = terms[0].stop or terms[-1].stop


class LiteExtractor:
    """Drop-in for `yake.KeywordExtractor(...).extract_keywords` with the same settings."""

    def __init__(self, **kwargs: Any) -> None:
        self.stock = KeywordExtractor(**kwargs)  # its stopwords, config and dedup function, used as they are
        self.stop = frozenset(self.stock.stopword_set)
        self.n = self.stock.config["n"]
        self.window = self.stock.config["window_size"]
        self.top = self.stock.config["top"]
        self.dedup_lim = self.stock.config["dedup_lim"]
        self.features = self.stock.config["features"]

    def extract_keywords(self, text: str | None) -> list[tuple[str, float]]:
        """(keyword, score) best first, lower score better: what stock YAKE returns."""
        if not text:
            return []
        try:
            return self._extract(text)
        except Exception:  # stock YAKE logs and returns nothing on a text it cannot handle
            return []

    def _term(self, terms: dict[str, _Term], word: str) -> _Term:
        unique = word.lower()
        simple_stop = unique in self.stop
        if unique.endswith("s") and len(unique) > 3:
            unique = unique[:-1]
        t = terms.get(unique)
        if t is None:
            bare = "".join(c for c in unique if c not in _EXCLUDE)
            t = terms[unique] = _Term(len(terms), simple_stop or unique in self.stop or len(bare) < 3)
        return t

    def _extract(self, text: str) -> list[tuple[str, float]]:
        sentences = tokenize_sentences(pre_filter(text.replace("\n", " ")))
        terms: dict[str, _Term] = {}
        by_id: list[_Term] = []
        cands: dict[str, _Cand] = {}
        n, window = self.n, self.window
        pos_text = 0
        for sent_id, sentence in enumerate(sentences):
            block: list[tuple[str, str, _Term]] = []
            for pos_sent, word in enumerate(sentence):
                if not word.strip(_PUNCT):  # punctuation only: it ends the block of words
                    block = []
                    continue
                tag = get_tag(word, pos_sent, _EXCLUDE)
                term = self._term(terms, word)
                if term.id == len(by_id):
                    by_id.append(term)
                term.sents[sent_id] = None
                term.tf += 1.0
                if tag == "a":
                    term.tf_a += 1.0
                elif tag == "n":
                    term.tf_n += 1.0
                pos_text += 1
                if tag not in _DISCARD:
                    for w in range(max(0, len(block) - window), len(block)):
                        left_tag, _, left = block[w]
                        if left_tag not in _DISCARD:
                            left.succ[term.id] = left.succ.get(term.id, 0.0) + 1.0
                            term.pred[left.id] = term.pred.get(left.id, 0.0) + 1.0
                # Candidates ending at this word: itself, then with up to n-1 words before it.
                self._add(cands, word, tag, [term])
                parts = [(tag, word, term)]
                for w in range(len(block) - 1, max(0, len(block) - (n - 1)) - 1, -1):
                    parts.append(block[w])
                    seq = parts[::-1]
                    self._add(cands, " ".join(p[1] for p in seq), "".join(p[0] for p in seq), [p[2] for p in seq])
                block.append((tag, word, term))
        self._single_features(by_id, len(sentences))
        valid = []
        for c in cands.values():
            if not c.edge_stop and any("u" not in t and "d" not in t for t in c.tags):
                c.h = self._phrase_h(c)
                valid.append(c)
        valid.sort(key=lambda c: c.h)
        if self.dedup_lim >= 1.0:
            return [(c.kw.lower(), c.h) for c in valid][:self.top]
        kept: list[_Cand] = []
        same = self.stock.dedup_function
        for c in valid:
            u = c.kw.lower()
            if all(same(u, k.kw.lower()) <= self.dedup_lim for k in kept):
                kept.append(c)
            if len(kept) == self.top:
                break
        return [(c.kw, c.h) for c in kept]

    @staticmethod
    def _add(cands: dict[str, _Cand], kw: str, tags: str, terms: list[_Term]) -> None:
        key = kw.lower()
        c = cands.get(key)
        if c is None:
            c = cands[key] = _Cand(kw, tags, terms)
        else:
            c.tags.add(tags)
        c.tf += 1.0

    @staticmethod
    def _single_features(terms: list[_Term], n_sent: int) -> None:
        tfs = np.array([t.tf for t in terms if not t.stop])
        if not tfs.size:
            return
        avg_tf, std_tf = tfs.mean(), tfs.std()
        max_tf = max(t.tf for t in terms)
        for t in terms:
            wdr, wir = len(t.succ), sum(t.succ.values())
            wdl, wil = len(t.pred), sum(t.pred.values())
            pwr = 0 if wir == 0 else wdr / wir
            pwl = 0 if wil == 0 else wdl / wil
            wrel = (0.5 + (pwl * (t.tf / max_tf))) + (0.5 + (pwr * (t.tf / max_tf)))
            wfreq = t.tf / (avg_tf + std_tf)
            wspread = len(t.sents) / n_sent
            wcase = max(t.tf_a, t.tf_n) / (1.0 + math.log(t.tf))
            wpos = math.log(math.log(3.0 + float(median(t.sents))))
            t.h = (wpos * wrel) / (wcase + (wfreq / wrel) + (wspread / wrel))

    def _phrase_h(self, c: _Cand) -> float:
        sum_h, prod_h = 0.0, 1.0
        ts = c.terms
        for i, t in enumerate(ts):
            if not t.stop:
                sum_h += t.h
                prod_h *= t.h
                continue
            # A stopword inside a phrase weighs by how often it binds its neighbours ("bi" in YAKE).
            prob_t1 = t.pred[ts[i - 1].id] / ts[i - 1].tf if i > 0 and ts[i - 1].id in t.pred else 0.0
            prob_t2 = (t.succ[ts[i + 1].id] / ts[i + 1].tf
                       if i < len(ts) - 1 and ts[i + 1].id in t.succ else 0.0)
            prob = prob_t1 * prob_t2
            prod_h *= 1 + (1 - prob)
            sum_h -= 1 - prob
        tf_used = c.tf if self.features is None or "KPF" in self.features else 1.0
        return prod_h / ((sum_h + 1) * tf_used)
