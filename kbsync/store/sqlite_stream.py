"""SQLite staging generation: a full sync writes its rows into its own tables, one commit swaps them in.

Each `put` is a short transaction of its own (the write lock is never held for the whole sync), into
`stage_<token>_entries` / `stage_<token>_edges`, which readers never look at. `commit` drops the live
`entries` and `edges`, renames the staged tables over them, builds their secondary indexes and rewrites
files, problems and the revision, in one transaction: readers see the old generation or the new one.
A crash leaves the staged tables behind; the next writer to open the store (or to start a stream)
drops those whose owner is gone: a dead process on this host, or no heartbeat for `STALE_S` seconds.
"""
from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid
from typing import TYPE_CHECKING, Any

from .base import Batch, Edge, Record
from .sqlite import INSERT_EDGE, INSERT_ENTRY, SCHEMA, edge_rows, entry_row, fault_point

if TYPE_CHECKING:
    from .sqlite import SQLiteStore

STALE_S = 600.0  # a live stream writes a chunk every few seconds; this long without one means it is gone
SWAPPED = ("entries", "edges")
_mine: set[str] = set()  # tokens of streams open in this process


def _table_sql(table: str, name: str) -> str:
    """The CREATE TABLE statement of `table` in SCHEMA, for a table called `name` (same columns and keys)."""
    head = f"CREATE TABLE IF NOT EXISTS {table} ("
    stmt = next(s for s in SCHEMA.split(";") if head in s).strip()
    return stmt.replace(head, f'CREATE TABLE "{name}" (', 1)


def _index_sql(table: str) -> list[str]:
    return [s.strip() for s in SCHEMA.split(";") if "CREATE INDEX" in s and f" ON {table}(" in s]


def _owner() -> str:
    return f"{socket.gethostname()}\t{os.getpid()}"


def _gone(owner: str, now: float) -> bool:
    host, pid, beat = (owner.split("\t") + ["", "", "0"])[:3]
    if now - float(beat or 0) > STALE_S:
        return True
    if host != socket.gethostname():
        return False  # another container or host: only the heartbeat can tell
    if int(pid) == os.getpid():
        return False  # streams of this process are dropped by their own abort (checked by token below)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def drop_leftovers(db: sqlite3.Connection) -> int:
    """Drop staged tables (and their meta rows) of streams whose writer is gone; call inside a write transaction."""
    now = time.time()
    owners = dict(db.execute("SELECT key, value FROM meta WHERE key LIKE 'stage:%'").fetchall())
    tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name GLOB 'stage_*'")]
    dropped = 0
    for key, owner in owners.items():
        token = key.split(":", 1)[1]
        if token in _mine or not _gone(owner, now):
            continue
        for t in SWAPPED:
            db.execute(f'DROP TABLE IF EXISTS "stage_{token}_{t}"')
        db.execute("DELETE FROM meta WHERE key=?", (key,))
        dropped += 1
    for name in tables:  # a table without its meta row: written by a transaction that never committed its row
        token = name[len("stage_"):].rsplit("_", 1)[0]
        if f"stage:{token}" not in owners and token not in _mine:
            db.execute(f'DROP TABLE IF EXISTS "{name}"')
            dropped += 1
    return dropped


class SQLiteStream:
    """One full sync's staging generation in a SQLite store (see the module docstring)."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.token = uuid.uuid4().hex[:12]
        self.names = {t: f"stage_{self.token}_{t}" for t in SWAPPED}
        self.done = False

        def start(db: sqlite3.Connection) -> None:
            drop_leftovers(db)
            for t, name in self.names.items():
                db.execute(_table_sql(t, name))
        self._write(start)
        _mine.add(self.token)  # from here on, only this stream's commit or abort drops its tables

    def _write(self, fn: Any, beat: bool = True) -> Any:
        """One short write transaction that also renews this stream's heartbeat."""
        if self.done:
            raise RuntimeError("this stream is already committed or aborted")
        with self.store._write_lock:
            db = self.store._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                out = fn(db)
                if beat:
                    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                               (f"stage:{self.token}", f"{_owner()}\t{time.time()}"))
                db.execute("COMMIT")
                return out
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def put(self, records: list[Record]) -> None:
        self.put_encoded([entry_row(r) for r in records])

    @staticmethod
    def encode(record: Record) -> tuple[Any, ...]:
        """The staged row of a record: pure, so forked readers make it and the writer only inserts."""
        return entry_row(record)

    def put_encoded(self, rows: list[tuple[Any, ...]]) -> None:
        """Stage rows made by `encode` (a row replaces a staged one with the same slug or path)."""
        if rows:
            self._write(lambda db: db.executemany(INSERT_ENTRY.format(table=f'"{self.names["entries"]}"'), rows))

    def put_edges(self, edges: dict[str, list[Edge]]) -> None:
        if edges:
            self.put_edge_rows(list(edge_rows(edges)))

    def put_edge_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Stage EDGE_ROW tuples as they are: executemany over a list runs in C, without a Python call per row."""
        if rows:
            self._write(lambda db: db.executemany(INSERT_EDGE.format(table=f'"{self.names["edges"]}"'), rows))

    def commit(self, rest: Batch) -> int:
        """Swap the staged tables in and write `rest`'s files and problems, in one transaction."""
        store = self.store
        store._check_version()
        with store._write_lock:
            if self.done:
                raise RuntimeError("this stream is already committed or aborted")
            db = store._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                for t, name in self.names.items():
                    db.execute(f"DROP TABLE IF EXISTS {t}")  # takes its indexes with it
                    db.execute(f'ALTER TABLE "{name}" RENAME TO {t}')
                    for stmt in _index_sql(t):  # built once over the loaded rows: cheaper than kept up per insert
                        db.execute(stmt)
                db.execute("DELETE FROM meta WHERE key=?", (f"stage:{self.token}",))
                db.execute("DELETE FROM files")
                db.execute("DELETE FROM problems")
                store._apply(db, Batch(files=rest.files, problems=rest.problems))
                rev = store.revision() + 1
                db.execute("UPDATE meta SET value=? WHERE key='revision'", (str(rev),))
                fault_point()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            self.done = True
        _mine.discard(self.token)
        return rev

    def abort(self) -> None:
        """Drop the staged tables; the stored generation was never touched."""
        if self.done:
            return
        try:
            def drop(db: sqlite3.Connection) -> None:
                for name in self.names.values():
                    db.execute(f'DROP TABLE IF EXISTS "{name}"')
                db.execute("DELETE FROM meta WHERE key=?", (f"stage:{self.token}",))
            self._write(drop, beat=False)
        except sqlite3.Error:
            pass  # the store went away: the next writer drops what is left
        finally:
            self.done = True
            _mine.discard(self.token)
