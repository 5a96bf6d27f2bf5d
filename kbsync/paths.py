"""Slugs, URLs and heading anchors: the pure naming rules every layer shares."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from posixpath import splitext

# Kept in slugs: letters, marks and digits of any script, emoji and other symbols, and these.
_SAFE_PUNCT = set("-_.~")
_KEEP_CATEGORIES = ("L", "M", "N")
_JOINERS = {"\u200d", "\ufe0f"}  # emoji sequences stay whole


def _keep(ch: str) -> bool:
    if ch in _SAFE_PUNCT or ch in _JOINERS:
        return True
    cat = unicodedata.category(ch)
    return cat[0] in _KEEP_CATEGORIES or cat == "So"


_ASCII_UNSAFE = re.compile(r"[^a-z0-9_.~-]+")
_DASHES = re.compile(r"-{2,}")
_TAGS = re.compile(r"<[^<>]+>")  # not over `<`: linear on "<<<<..."
_NOT_WORD = re.compile(r"[^\w\s-]")
_SPACES = re.compile(r"[\s-]+")


def slug_segment(text: str) -> str:
    """One path segment: NFC, lowercase, unsafe runs become one `-`, no `-` at the ends."""
    if text.isascii():  # the common case, without a per-character Unicode lookup
        out = _ASCII_UNSAFE.sub("-", text.lower())
    else:
        text = unicodedata.normalize("NFC", text).lower()
        out = "".join(ch if _keep(ch) else "-" for ch in text)
    return _DASHES.sub("-", out).strip("-") or "-"


def slugify(path: str) -> str:
    """Content-relative path (with or without `.md`) → slug, e.g. `Notes/Café Au Lait.md` → `notes/café-au-lait`."""
    path = path.replace("\\", "/")
    stem, ext = splitext(path)
    if ext.lower() == ".md":
        path = stem
    return "/".join(slug_segment(seg) for seg in path.split("/") if seg not in ("", "."))


def url_for(slug: str) -> str:
    """Site URL of an entry (directory URLs, as MkDocs and the API publish them)."""
    return f"/{slug}/"


@lru_cache(maxsize=8192)  # the same few headings ("Notes", "References") recur across a corpus
def heading_anchor(text: str, sep: str = "-") -> str:
    """Anchor id of a heading; also usable as MkDocs' toc `slugify(value, separator)`.

    Unicode-aware like pymdownx.slugs: letters of every script survive, so
    `[[Note#Café]]` and the rendered heading agree.
    """
    if "<" in text:
        text = _TAGS.sub("", text)  # headings may carry inline HTML
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = _NOT_WORD.sub("", text)
    return _SPACES.sub(sep, text).strip(sep)


def stem_of(path: str) -> str:
    """File stem of a content path (`a/b/Note.md` → `Note`)."""
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


def folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def shared_prefix_len(a: str, b: str) -> int:
    """Number of leading folders two content paths share (closeness for tie-breaks)."""
    fa, fb = folder_of(a).split("/"), folder_of(b).split("/")
    n = 0
    for x, y in zip(fa, fb, strict=False):
        if x != y or not x:
            break
        n += 1
    return n
