"""Records a build holds from start to end, stored once per distinct value: equal values, less memory.

A site build keeps every record (the read model, `SiteIndex`) for its whole length, and forks page workers
over it. Each stored record arrives as fresh objects: a slug is a new string in every link and backlink that
names it, and every `{"source": s, "kind": k}` backlink row is a new dict in each target. `compact` makes
equal strings one object and equal backlink rows one dict, in place. Values and order are unchanged (the pages
are byte-identical); nothing in the site mutates a record, so shared rows are safe.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Record = dict[str, Any]
STRINGS = ("slug", "path", "title", "type", "visibility", "url", "date", "created", "updated", "document")
LINK_STRINGS = ("target", "kind", "anchor")
BACKLINK_KEYS = frozenset(("source", "kind"))


def compact(records: Iterable[Record]) -> list[Record]:
    """`records` with equal strings and equal backlink rows shared (see the module docstring)."""
    memo: dict[str, str] = {}
    one = memo.setdefault  # a local memo, not sys.intern: freed with the build's last reference
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    out = []
    for r in records:
        for k in STRINGS:
            v = r.get(k)
            if type(v) is str:
                r[k] = one(v, v)
        for k in ("tags", "aliases", "chapters"):
            v = r.get(k)
            if type(v) is list and v:
                r[k] = [one(x, x) if type(x) is str else x for x in v]
        for ln in r.get("links") or ():
            for k in LINK_STRINGS:
                v = ln.get(k)
                if type(v) is str:
                    ln[k] = one(v, v)
        back = r.get("backlinks")
        if back:
            r["backlinks"] = [_row(rows, one, b) for b in back]
        out.append(r)
    return out


def _row(rows: dict[tuple[str, str], dict[str, Any]], one: Any, b: Any) -> Any:
    """The shared dict of a `{"source", "kind"}` backlink row (anything else is kept as it is)."""
    if type(b) is not dict or b.keys() != BACKLINK_KEYS:
        return b
    src, kind = b["source"], b["kind"]
    if type(src) is not str or type(kind) is not str:
        return b
    key = (src, kind)
    got = rows.get(key)
    if got is None:
        got = rows[key] = {"source": one(src, src), "kind": one(kind, kind)}
    return got
