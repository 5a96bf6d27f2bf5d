"""Helpers the corpus-wide discovery modules share: visible records, silenced pairs, name normalisation."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from ..resolve import Resolver
from ..visibility import PUBLIC, can_see

Rec = Mapping[str, Any]
_ARTICLES = frozenset("the a an der die das le la les l el los las il lo gli de het een".split())
_PUNCT = re.compile(r"[^\w\s]+")


def visible(records: Iterable[Rec], viewer: str = PUBLIC) -> list[Rec]:
    """Records `viewer` may see, so nothing hidden reaches an output (the rule fails closed on doubt)."""
    return [r for r in records if can_see(r, viewer)]


def norm_name(name: str) -> str:
    """A title for comparison: accents, case, punctuation and a leading article dropped (`The Squats` ~ `squats`)."""
    if name.isascii():  # (no accents to drop: skip a Python pass over every character)
        s = name.casefold()
    else:
        s = unicodedata.normalize("NFKD", name)
        s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    words = _PUNCT.sub(" ", s).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def names(rec: Rec) -> list[tuple[str, str]]:
    """(name, kind) for a record's title and aliases; kind is `title` or `alias`."""
    out = [(str(rec.get("title") or ""), "title")]
    out += [(str(a), "alias") for a in rec.get("aliases") or [] if isinstance(a, str | int | float)]
    return [(n, k) for n, k in out if n.strip()]


def _flat(value: Any) -> list[Any]:
    """`[[X]]` unquoted in YAML is a list in a list: flatten whatever nesting the owner wrote."""
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [value]


def silenced(records: Iterable[Rec]) -> set[frozenset[str]]:
    """Pairs an owner marked `not_duplicate_of: ["[[X]]"]` (either side silences the pair)."""
    recs = list(records)
    resolver: Resolver | None = None
    out: set[frozenset[str]] = set()
    for r in recs:
        for link in r.get("links") or []:
            if link.get("kind") == "not_duplicate_of" and link.get("target"):
                out.add(frozenset((r["slug"], link["target"])))
        raw = (r.get("fields") or {}).get("not_duplicate_of")
        if not raw:
            continue
        if resolver is None:
            resolver = Resolver([{k: x.get(k) for k in ("slug", "path", "title", "aliases", "type", "handle")}
                                 for x in recs])
        for value in _flat(raw):
            target = str(value).strip().removeprefix("[[").removesuffix("]]").split("|")[0].split("#")[0].strip()
            hit = resolver.resolve(target, r["path"]) if target else None
            if hit is not None and hit.slug:
                out.add(frozenset((r["slug"], hit.slug)))
    return out
