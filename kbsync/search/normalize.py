"""Text folding shared by indexing and querying: case, accents, CJK by character."""
from __future__ import annotations

import re
import unicodedata

# Ideographic and kana/hangul characters are matched one by one (no spaces between words in CJK).
CJK = r"\u2e80-\u2fdf\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
_CJK_RE = re.compile(f"[{CJK}]")
_WORD_RE = re.compile(f"[{CJK}]|[^\\W_{CJK}]+")

MAX_TOKENS = 12


def fold(text: str) -> str:
    """Casefold and strip accents (`Café` -> `cafe`); ASCII takes a fast path."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Folded word tokens; every CJK character is a token of its own."""
    return _WORD_RE.findall(fold(text))


def key(text: str) -> str:
    """A name's folded, single-spaced form, used for exact and start-of-name matching."""
    return " ".join(tokens(text))


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def typo_budget(token: str, relaxed: bool = False) -> int:
    """Meilisearch's rule: no typo below 5 characters, one from 5, two from 9 (one char less when relaxed)."""
    n = len(token) + (1 if relaxed else 0)
    if has_cjk(token):
        return 0
    return 2 if n >= 9 else 1 if n >= 5 else 0
