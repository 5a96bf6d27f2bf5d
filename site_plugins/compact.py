"""Records a build holds from start to end, stored once per distinct value and densely: equal values, less memory.

A site build keeps every record (the read model, `SiteIndex`) for its whole length, and forks page workers
over it. Each stored record arrives as fresh objects: a slug is a new string in every link and backlink that
names it, and every `{"source": s, "kind": k}` backlink row is a new dict in each target. `compact` makes
equal strings one object and equal backlink rows one dict, in place; likewise equal heading rows and front
matter line maps (a template's recur) and each key's empty list (most `keywords`, `blocks`, `problems`...); each
link and heading row becomes a slotted read-only `Row` (site_plugins/rows.py). Values and order are unchanged (the pages
are byte-identical); nothing in the site mutates a record, so shared rows are safe.

`repack` then moves them into fresh memory: loading leaves them scattered among the freed rows and edges the
store read them from (16 KB of RSS a record at 10,000 entries, half of it holes the allocator cannot return);
written out and read back in one pass, they take 8 KB. Forked page workers inherit that RSS, so it counts twice.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import pickle
import tempfile
from collections.abc import Iterable
from typing import Any

from .rows import row

Record = dict[str, Any]
STRINGS = ("slug", "path", "title", "type", "visibility", "url", "date", "created", "updated", "document")
LINK_STRINGS = ("target", "kind", "anchor")
BACKLINK_KEYS = frozenset(("source", "kind"))
EMPTY_LISTS = ("tags", "aliases", "chapters", "keywords", "blocks", "problems", "authors")  # mostly empty
SHARED_ROWS = ("headings", "field_lines")  # read only; one template's rows recur (`Overview` at line 13)


def compact(records: Iterable[Record]) -> list[Record]:
    """`records` with equal strings and equal backlink rows shared (see the module docstring)."""
    memo: dict[str, str] = {}
    one = memo.setdefault  # a local memo, not sys.intern: freed with the build's last reference
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    same: dict[tuple[Any, ...], Any] = {}  # equal rows by value: one object
    heads: dict[tuple[Any, ...], Any] = {}  # (heading rows apart: they are held as Rows)
    empty: dict[str, list[Any]] = {}  # key -> the one empty list of that key
    out = []
    for r in records:
        for k in STRINGS:
            v = r.get(k)
            if type(v) is str:
                r[k] = one(v, v)
        for k in EMPTY_LISTS:
            v = r.get(k)
            if type(v) is list and not v:
                r[k] = empty.setdefault(k, v)
        for k in ("tags", "aliases", "chapters"):
            v = r.get(k)
            if type(v) is list and v:
                r[k] = [one(x, x) if type(x) is str else x for x in v]
        v = r.get("headings")
        if type(v) is list and v:
            r["headings"] = [_same(heads, h, row) for h in v]
        v = r.get("field_lines")
        if type(v) is dict and v:
            r["field_lines"] = _same(same, v)
        links = r.get("links")
        if type(links) is list and links:
            for ln in links:
                for k in LINK_STRINGS:
                    v = ln.get(k) if type(ln) is dict else None
                    if type(v) is str:
                        ln[k] = one(v, v)
            r["links"] = [row(ln) for ln in links]  # slotted: a third of a dict's memory (site_plugins/rows.py)
        back = r.get("backlinks")
        if back:
            r["backlinks"] = [_row(rows, one, b) for b in back]
        out.append(r)
    return out


def _same(same: dict[tuple[Any, ...], Any], d: Any, held: Any = None) -> Any:
    """One object for equal dicts of strings and numbers (key order counts); anything else as it is. `held`: what
    the first of equal dicts is kept as (rows.row: a slotted Row), else the dict itself."""
    if type(d) is not dict:
        return d
    key = tuple(d.items())
    if not all(type(v) in (str, int) for _, v in key):
        return d if held is None else held(d)
    got = same.get(key)
    if got is None:
        got = same[key] = d if held is None else held(d)
    return got


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


def repack(records: list[Record]) -> list[Record]:
    """The same records (shared values still shared) in fresh, dense memory; `records` is emptied. Through a
    temporary file, so the old and new copies are never in memory together."""
    with tempfile.TemporaryFile() as f:
        pickle.dump(records, f, protocol=pickle.HIGHEST_PROTOCOL)
        records.clear()
        trim()
        f.seek(0)
        return pickle.load(f)


def trim() -> None:
    """Give the C allocator's free pages back to the system (glibc; elsewhere nothing to do)."""
    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc: no malloc_trim
        pass
