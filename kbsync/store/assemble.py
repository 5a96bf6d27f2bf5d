"""Attach the corpus-derived parts of a record (links, backlinks, chapters) from its edges.

Both adapters call this, so `links`/`backlinks` look the same whichever store holds them.
"""
from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from .base import Edge, Record

HIDDEN_KINDS = ("chapter",)  # structural edges: not links, not backlinks
_SEQ = attrgetter("seq")  # C-level sort keys: a site build assembles every record
_SRC_KIND = attrgetter("src", "kind")


def link_json(e: Edge) -> dict[str, Any]:
    out: dict[str, Any] = {"target": e.dst, "kind": e.kind, "raw": e.raw, "line": e.line}
    if e.anchor:
        out["anchor"] = e.anchor
    if e.label:
        out["label"] = e.label
    if e.attachment:
        out["attachment"] = True
    if e.ambiguous:
        out["ambiguous"] = list(e.ambiguous)  # the other candidates: `kb check` names them without re-resolving
    return out


def assemble(rec: Record, out_edges: list[Edge], in_edges: list[Edge], public: set[str] | None) -> Record:
    """Fill `links`, `chapters`, `document`, `backlinks` (public sources only) on a stored record."""
    rec = dict(rec)
    rec["links"] = [link_json(e) for e in out_edges if e.kind not in HIDDEN_KINDS]
    chapters = [e for e in out_edges if e.kind == "chapter" and e.dst]
    rec["chapters"] = [e.dst for e in sorted(chapters, key=_SEQ)] if chapters else []
    docs = [e.src for e in in_edges if e.kind == "chapter"]
    rec["document"] = docs[0] if docs else None
    links = (e for e in in_edges
             if e.kind not in HIDDEN_KINDS and not e.attachment and (public is None or e.src in public))
    rec["backlinks"] = backlink_rows(map(_SRC_KIND, links), rec["slug"])
    return rec


def backlink_rows(pairs: Iterable[tuple[str, str]], slug: str) -> list[dict[str, str]]:
    """An entry's `backlinks` from the (source, kind) of the links into it, public sources only (the caller's
    filter): one row per pair, sorted, never the entry itself (the site's follow-up makes them this way too)."""
    return [{"source": s, "kind": k} for s, k in sorted({p for p in pairs if p[0] != slug})]
