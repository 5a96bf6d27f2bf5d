"""Backlink context sentences: the sentence around a source's first link to a target, cut from the source's own
plain text (for entry JSON, the API and the site's backlink panels)."""
from __future__ import annotations

import marshal
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
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



class PackedContexts(Mapping[str, dict[tuple[str, str], str]]):
    """`backlink_contexts`'s target -> {(source, kind): sentence}, each target's held as one compressed `marshal`
    string (a big site build keeps them all build long and after it: ~2.5 KB an entry as dicts, ~0.9 KB packed).
    Read one target at a time (`get`, `[]`); `changed` and `updated` compare and edit without unpacking the rest.
    Every target's sentences are taken in one order (sorted), so equal contexts pack to equal bytes."""

    __slots__ = ("_raw",)

    def __init__(self, raw: dict[str, bytes] | None = None) -> None:
        self._raw: dict[str, bytes] = raw if raw is not None else {}

    @classmethod
    def of(cls, contexts: Mapping[str, Mapping[tuple[str, str], str]]) -> PackedContexts:
        """`contexts` packed (packed already: itself)."""
        if isinstance(contexts, PackedContexts):
            return contexts
        return cls({t: _pack(got) for t, got in contexts.items() if got})

    def __getitem__(self, target: str) -> dict[tuple[str, str], str]:
        return _unpack(self._raw[target])

    def __contains__(self, target: object) -> bool:
        return target in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedContexts):
            return not self.changed(other)
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]  # (a mapping: unhashable, as dict)

    def __reduce__(self) -> tuple[Any, ...]:  # sent from the process that cut them as it is: still packed
        return (PackedContexts, (self._raw,))

    def changed(self, other: PackedContexts) -> set[str]:
        """The targets whose contexts differ between the two (unpacked only where the bytes differ)."""
        a, b = self._raw, other._raw
        if a is b:
            return set()
        return {t for t in a.keys() | b.keys()
                if a.get(t) != b.get(t) and (t not in a or t not in b or _unpack(a[t]) != _unpack(b[t]))}

    def updated(self, gone: Mapping[str, Iterable[str]], fresh: Mapping[str, Mapping[tuple[str, str], str]]
                ) -> PackedContexts:
        """A copy without the contexts of the sources in `gone` (source -> the targets it may have given one: a
        superset will do) and with `fresh`'s added; the targets untouched share their bytes with this one."""
        raw = dict(self._raw)
        touched: dict[str, dict[tuple[str, str], str]] = {}
        for source, targets in gone.items():
            for t in targets:
                if t in raw or t in touched:
                    got = touched[t] if t in touched else _unpack(raw[t])
                    touched[t] = {k: v for k, v in got.items() if k[0] != source}
        for t, more in fresh.items():
            touched.setdefault(t, _unpack(raw[t]) if t in raw else {}).update(more)
        for t, got in touched.items():
            if got:
                raw[t] = _pack(got)
            else:
                raw.pop(t, None)
        return PackedContexts(raw)


def _pack(got: Mapping[tuple[str, str], str]) -> bytes:
    return zlib.compress(marshal.dumps([(s, k, v) for (s, k), v in sorted(got.items())]), 1)


def _unpack(data: bytes) -> dict[tuple[str, str], str]:
    return {(s, k): v for s, k, v in marshal.loads(zlib.decompress(data))}  # noqa: S302 - packed by this process
