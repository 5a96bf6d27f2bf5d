"""Every record of a SQLite store, assembled one at a time: what `SQLiteStore.entries()` yields, in less memory.

`entries()` reads every record row and every edge before it yields the first record (at 100,000 entries ~250 MB
of record text and ~550 MB of edges, held until the last record), so that a caller may write to the store between
records. A site build's records load (site_plugins/index.py, in a process of its own) only reads: here the rows,
the links out (by source) and the links in (by target) are three cursors in slug order, merged as they are read,
so what is held at once is one record's rows and the public slugs. The same records in the same order
(tests/kbsync/store/test_sqlite_load.py). The cursors stay open until the iterator ends: do not write to the store
meanwhile.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import codec
from .assemble import assemble
from .base import Edge, Record
from .sqlite import EDGE_COLS, SQLiteStore, _edge


class _Groups:
    """A query's rows sorted by one column, taken group by group in that order (a merge with the records)."""

    def __init__(self, rows: Any, col: int, make: Any) -> None:
        self.rows, self.col, self.make = iter(rows), col, make
        self.row = next(self.rows, None)

    def take(self, slug: str) -> list[Edge]:
        row, col, out = self.row, self.col, []
        while row is not None and row[col] < slug:  # a source or target with no record (or none of those read)
            row = next(self.rows, None)
        while row is not None and row[col] == slug:
            out.append(self.make(row))
            row = next(self.rows, None)
        self.row = row
        return out


def _in_edge(row: tuple[Any, ...]) -> Edge:
    """A link into an entry, as far as `assemble` reads it (source, kind, attachment)."""
    src, dst, kind, att = row
    return Edge(src, dst, kind, "", "", attachment=bool(att))


def stream_entries(store: SQLiteStore) -> Iterator[Record]:
    """`store.entries()`'s records, each assembled as its row is read (see the module docstring)."""
    db = store._conn()
    begun = not db.in_transaction
    if begun:  # one read snapshot for the three cursors (WAL): a sync committing meanwhile is not half seen
        db.execute("BEGIN")
    try:
        public = store._public()
        # BINARY order of UTF-8 text is code point order, Python's `<` on str: the three merge in step
        rows = db.execute("SELECT slug, record FROM entries ORDER BY slug COLLATE BINARY")
        outs = _Groups(db.execute(f"SELECT {EDGE_COLS} FROM edges ORDER BY src COLLATE BINARY, seq"), 0, _edge)
        ins = _Groups(db.execute("SELECT src, dst, kind, attachment FROM edges WHERE dst IS NOT NULL AND dst != '' "
                                 "ORDER BY dst COLLATE BINARY, src COLLATE BINARY, seq"), 1, _in_edge)
        for slug, rec in rows:
            r = codec.loads(rec)
            yield assemble(r, outs.take(slug), ins.take(slug), public)
    finally:
        if begun and db.in_transaction:
            db.execute("COMMIT")
