"""Backlink context sentences: the sentence around a source's first link to a target, cut from the source's own
plain text (for entry JSON, the API and the site's backlink panels)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..derive.text import inline_plain

CONTEXT_KINDS = frozenset({"link", "mention"})  # body links; relations sit in front matter, embeds show the target
CONTEXT_MAX = 240  # characters of a context sentence
_STOP = ".!?。！？"
# Markup the plain text keeps that a page never shows: inline footnotes, footnote references, block ids.
_MARKUP = re.compile(r"\^\[[^\[\]]*(?:\]|$)|\[\^[^\[\]\n]*\]|(?<![\w^])\^[A-Za-z0-9-]+")


def _soft(text: str, i: int) -> bool:
    """Is the newline at `i` a wrapped line inside a sentence (after `,;:` or before a lowercase word)?"""
    before = text[:i].rstrip()[-1:]
    after = text[i + 1:i + 2]
    return before in (",", ";", ":", "-", "–") or (after.islower() and before not in _STOP)


def _ends(text: str, i: int) -> bool:
    return text[i] in _STOP or (text[i] == "\n" and not _soft(text, i))


def sentence_around(text: str, needle: str) -> str | None:
    """The sentence of `text` holding the first `needle` (a link's visible text), trimmed to CONTEXT_MAX."""
    if not needle.strip():
        return None
    at = text.find(needle)
    if at < 0:
        at = text.lower().find(needle.lower())
    if at < 0:
        return None
    lo = max(0, at - 4 * CONTEXT_MAX)  # a window bounds the scan: a sentence longer than it is trimmed anyway
    start = next((i + 1 for i in range(at - 1, lo - 1, -1) if _ends(text, i)), lo)
    hi = min(len(text), at + len(needle) + 4 * CONTEXT_MAX)
    end = next((i + 1 for i in range(at + len(needle), hi) if _ends(text, i)), hi)
    s = " ".join(_MARKUP.sub("", text[start:end]).split())
    needle = " ".join(_MARKUP.sub("", needle).split())
    if len(s) > CONTEXT_MAX:  # keep the link in view: a window around it
        i = s.find(needle) if needle in s else 0
        lo = max(0, min(i - CONTEXT_MAX // 3, len(s) - CONTEXT_MAX))
        s = ("…" if lo else "") + s[lo:lo + CONTEXT_MAX].strip() + ("…" if lo + CONTEXT_MAX < len(s) else "")
    return s or None


def backlink_contexts(records: Iterable[Mapping[str, Any]]) -> dict[str, dict[tuple[str, str], str]]:
    """target -> {(source, kind): the sentence around the source's first such link}, from the source's own text."""
    out: dict[str, dict[tuple[str, str], str]] = {}
    for r in records:
        text = r.get("text") or ""
        if "^" in text:  # footnotes and block ids out before sentences are cut (a footnote may hold a full stop)
            text = _MARKUP.sub("", text)
        for ln in r.get("links") or []:
            target, kind = ln.get("target"), ln.get("kind")
            if not target or kind not in CONTEXT_KINDS or target == r["slug"]:
                continue
            mine = out.setdefault(target, {})
            if (r["slug"], kind) not in mine:
                s = sentence_around(text, inline_plain(str(ln.get("raw") or "")).strip())
                if s:
                    mine[(r["slug"], kind)] = s
    return out

