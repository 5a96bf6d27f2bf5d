"""SQLite adapter: one file, WAL, one writer; every batch is one transaction."""
from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..visibility import PUBLIC, can_see
from . import codec
from .assemble import assemble
from .base import (
    EDGE_ROW,
    READ_HIDDEN_KINDS,
    Batch,
    Edge,
    FileState,
    ReadSnapshot,
    Record,
    Stream,
    changed_slugs,
    file_hashes,
    resolved_cols,
)

SCHEMA_VERSION = 3  # 2: entries carry aliases/handle/chapters columns for names(); 3: edges keep ambiguous candidates
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, slug TEXT, mtime_ns INTEGER, size INTEGER, hash TEXT);
CREATE TABLE IF NOT EXISTS entries (
  slug TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, type TEXT NOT NULL, visibility TEXT NOT NULL,
  title TEXT NOT NULL, tags TEXT NOT NULL, aliases TEXT NOT NULL, handle TEXT, chapters TEXT, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_type ON entries(type);
CREATE TABLE IF NOT EXISTS edges (
  src TEXT NOT NULL, seq INTEGER NOT NULL, dst TEXT, kind TEXT NOT NULL, raw TEXT NOT NULL, key TEXT NOT NULL,
  line INTEGER NOT NULL, anchor TEXT, label TEXT, attachment INTEGER NOT NULL, ambiguous TEXT NOT NULL,
  target TEXT NOT NULL, md INTEGER NOT NULL, PRIMARY KEY (src, seq));
CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst);
CREATE INDEX IF NOT EXISTS edges_key ON edges(key);
CREATE TABLE IF NOT EXISTS problems (path TEXT PRIMARY KEY, problems TEXT NOT NULL);
"""
EDGE_COLS = "src, seq, dst, kind, raw, key, line, anchor, label, attachment, ambiguous, target, md"


def sqlite_path(url: str) -> str:
    """File-URL style: `sqlite:///abs/kb.sqlite` is absolute, `sqlite://rel/kb.sqlite` relative."""
    rest = url.split(":", 1)[1]
    if rest.startswith("//"):
        rest = rest[2:]
    if rest.lstrip("/") == ":memory:":
        return ":memory:"
    return "/" + rest.lstrip("/") if rest.startswith("/") else rest


def _why(path: str, e: sqlite3.DatabaseError) -> str:
    """One line saying why a store cannot be opened or written."""
    if "readonly" in str(e):
        return f"store is read-only: {path} (kb sync needs to write it; reading commands work)"
    return f"cannot open store {path}: {e}"


def _edge(row: tuple[Any, ...]) -> Edge:
    src, seq, dst, kind, raw, key, line, anchor, label, att, amb, target, md = row
    return Edge(src, dst, kind, raw, key, line, anchor, label, bool(att), tuple(codec.loads(amb)) if amb else (), target, bool(md), seq)


class SQLiteStore:
    """`sqlite:///path/kb.sqlite` (or `sqlite:///:memory:` for tests)."""

    layout = SCHEMA_VERSION  # what this code writes; schema_version() is what the file holds

    def __init__(self, url: str, *, create: bool = True) -> None:
        from . import StoreError

        self.url = url
        path = sqlite_path(url)
        if path != ":memory:" and not create and not Path(path).is_file():
            raise StoreError(f"store not found: {path} (run kb sync first)")
        if path != ":memory:" and create:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        try:
            if create:  # a reader never writes: it can read a store it may not write
                _retry_locked(self._create)
            else:
                self._conn()
        except sqlite3.DatabaseError as e:  # read-only, not a database, a folder, ...
            raise StoreError(_why(path, e)) from None

    def _create(self) -> None:
        db = self._conn()
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        if self.schema_version() == SCHEMA_VERSION:
            db.executescript(SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('revision', '0')")
        if db.execute("SELECT 1 FROM sqlite_master WHERE name GLOB 'stage_*' LIMIT 1").fetchone():
            self._drop_leftovers()  # a full sync that crashed left its staged rows: the next writer clears them

    def _drop_leftovers(self) -> None:
        from .sqlite_stream import drop_leftovers

        with self._write_lock:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                drop_leftovers(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _conn(self) -> sqlite3.Connection:
        if self.path == ":memory:":  # one shared connection: separate ones would be separate databases
            if self._memory is None:
                self._memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            return self._memory
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            # Takes effect only on a new file: records are ~2 KB, and 16 KiB pages pack them with less waste
            # (a 10,000-entry store: 48 MB instead of 57, and a cold sync's commit writes that much less).
            db.execute("PRAGMA page_size=16384")
            _retry_locked(lambda: db.execute("PRAGMA journal_mode=WAL"))
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
            db.execute("PRAGMA foreign_keys=OFF")
            self._local.db = db
        return db

    # -- reads ---------------------------------------------------------------------------
    def revision(self) -> int:
        row = self._conn().execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        return int(row[0])

    def schema_version(self) -> int:
        row = self._conn().execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else SCHEMA_VERSION

    def migrate(self) -> bool:
        """Older layouts are dropped and recreated (the files rebuild them); the revision keeps counting."""
        if self.schema_version() == SCHEMA_VERSION:
            return False
        with self._write_lock:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("files", "entries", "edges", "problems"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                for stmt in SCHEMA.split(";"):  # executescript would commit the transaction midway
                    if stmt.strip():
                        db.execute(stmt)
                db.execute("INSERT OR IGNORE INTO meta VALUES ('revision', '0')")
                db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='revision'")
                db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return True

    def _check_version(self) -> None:
        v = self.schema_version()
        if v != SCHEMA_VERSION:
            from . import StoreError

            raise StoreError(f"{self.path} has store layout {v}, this kb writes layout {SCHEMA_VERSION}: "
                             "run `kb migrate` (it rebuilds the index from the files)")

    def records(self) -> Iterator[Record]:
        for (rec,) in self._conn().execute("SELECT record FROM entries ORDER BY slug"):
            yield codec.loads(rec)

    def file_states(self) -> dict[str, FileState]:
        rows = self._conn().execute("SELECT path, slug, mtime_ns, size, hash FROM files")
        return {r[0]: FileState(*r) for r in rows}

    def names(self) -> list[Record]:
        rows = self._conn().execute("SELECT slug, path, title, aliases, type, handle, visibility, chapters FROM entries")
        return [{"slug": s, "path": p, "title": t, "aliases": [] if a == "[]" else codec.loads(a), "type": ty,
                 "handle": h, "visibility": v, "listed_chapters": None if c is None else codec.loads(c)}
                for s, p, t, a, ty, h, v, c in rows]

    def get(self, slug: str) -> Record | None:
        db = self._conn()
        row = db.execute("SELECT record FROM entries WHERE slug=?", (slug,)).fetchone()
        if row is None:
            return None
        out_e = [_edge(r) for r in db.execute(f"SELECT {EDGE_COLS} FROM edges WHERE src=? ORDER BY seq", (slug,))]
        cols = ", ".join(f"e.{c.strip()}" for c in EDGE_COLS.split(","))
        in_e, public = [], set()
        for *r, vis in db.execute(f"SELECT {cols}, s.visibility FROM edges e JOIN entries s ON s.slug = e.src "
                                  "WHERE e.dst=? ORDER BY e.src, e.seq", (slug,)):
            in_e.append(_edge(tuple(r)))
            if can_see(vis, PUBLIC):  # backlinks from public sources only
                public.add(in_e[-1].src)
        return assemble(codec.loads(row[0]), out_e, in_e, public)

    def entries(self, *, type: str | None = None, tag: str | None = None) -> Iterator[Record]:
        db = self._conn()
        sql, args = "SELECT record FROM entries WHERE 1=1", []
        if type:
            sql += " AND type=?"
            args.append(type)
        if tag:
            # the column holds casefolded tags: SQLite's lower() folds ASCII only
            sql += " AND EXISTS (SELECT 1 FROM json_each(entries.tags) WHERE value=?)"
            args.append(tag.casefold())
        rows = db.execute(sql + " ORDER BY slug", args).fetchall()
        out_e: dict[str, list[Edge]] = defaultdict(list)
        in_e: dict[str, list[Edge]] = defaultdict(list)
        for e in self.edges_from():
            out_e[e.src].append(e)
            if e.dst:
                in_e[e.dst].append(e)
        public = self._public()
        for (rec,) in rows:
            r = codec.loads(rec)
            yield assemble(r, out_e.get(r["slug"], []), in_e.get(r["slug"], []), public)

    def edges_from(self, slugs: Iterable[str] | None = None) -> Iterator[Edge]:
        db = self._conn()
        if slugs is None:
            yield from (_edge(r) for r in db.execute(f"SELECT {EDGE_COLS} FROM edges ORDER BY src, seq"))
            return
        for chunk in _chunks(list(slugs)):
            q = f"SELECT {EDGE_COLS} FROM edges WHERE src IN ({','.join('?' * len(chunk))}) ORDER BY src, seq"
            yield from (_edge(r) for r in db.execute(q, chunk))

    def edges_to(self, slug: str) -> list[Edge]:
        rows = self._conn().execute(f"SELECT {EDGE_COLS} FROM edges WHERE dst=? ORDER BY src, seq", (slug,))
        return [_edge(r) for r in rows]

    def edges_with_keys(self, keys: Iterable[str]) -> list[Edge]:
        out: list[Edge] = []
        for chunk in _chunks(sorted(set(keys))):
            q = f"SELECT {EDGE_COLS} FROM edges WHERE key IN ({','.join('?' * len(chunk))})"
            out += [_edge(r) for r in self._conn().execute(q, chunk)]
        return out

    def problems(self) -> dict[str, list[Record]]:
        return {p: codec.loads(v) for p, v in self._conn().execute("SELECT path, problems FROM problems ORDER BY path")}

    def snapshot(self, known: dict[str, str] | None = None, max_delta: int = 0,
                 live: Iterable[str] = ()) -> ReadSnapshot:
        """One read transaction on its own connection (a file store), so revision, records and edges agree."""
        self._check_version()
        memory = self.path == ":memory:"
        db = self._conn() if memory else sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30,
                                                          isolation_level=None, check_same_thread=False)
        close = (lambda: None) if memory else db.close
        try:
            if not memory:
                db.execute("BEGIN")  # one snapshot: revision, entries and edges agree
            rev = int(db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0])
            # change detection reads the small files table, not the entries (their rows hold whole records)
            hashes = file_hashes(db.execute("SELECT slug, hash FROM files WHERE slug IS NOT NULL ORDER BY path"))
            moved = None
            if known is not None and db.execute("SELECT count(*) FROM entries").fetchone()[0] == len(hashes):
                moved = changed_slugs(hashes, known, live, max_delta)
            deleted: list[str] = []
            if moved is not None:
                changed, deleted = moved
                db.execute("CREATE TEMP TABLE IF NOT EXISTS want (slug TEXT PRIMARY KEY)")
                db.execute("DELETE FROM want")
                db.executemany("INSERT INTO want VALUES (?)", ((c,) for c in changed))
                found: list[tuple[str]] = []
                held = set(live)
                for slug, rec in db.execute("SELECT w.slug, e.record FROM want w LEFT JOIN entries e USING (slug)"):
                    if rec is not None:
                        found.append((rec,))
                    elif slug in held:  # no longer an entry
                        deleted.append(slug)
                rows: Any = iter(found)
            else:
                rows = db.execute("SELECT record FROM entries")
        except BaseException:
            close()
            raise

        def records() -> Iterator[Record]:
            for (r,) in rows:
                yield codec.loads(r)

        def edges() -> Iterator[tuple[str, str, str]]:
            try:
                for s, d, k in db.execute("SELECT src, dst, kind FROM edges WHERE dst IS NOT NULL AND attachment = 0"):
                    if k not in READ_HIDDEN_KINDS:
                        yield s, d, k
            finally:
                close()

        def edges_of(sources: list[str]) -> Iterator[tuple[str, str, str]]:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS srcs (slug TEXT PRIMARY KEY)")
            db.execute("DELETE FROM srcs")
            db.executemany("INSERT OR IGNORE INTO srcs VALUES (?)", ((s,) for s in sources))
            for s, d, k in db.execute(
                    "SELECT src, dst, kind FROM edges WHERE src IN (SELECT slug FROM srcs UNION SELECT src FROM edges "
                    "WHERE dst IN (SELECT slug FROM want)) AND dst IS NOT NULL AND attachment = 0 ORDER BY src, seq"):
                if k not in READ_HIDDEN_KINDS:
                    yield s, d, k

        return ReadSnapshot(rev, records(), edges(), hashes, moved is not None, deleted,
                            edges_of if moved is not None else None, close)

    def _public(self) -> set[str]:
        return {slug for slug, vis in self._conn().execute("SELECT slug, visibility FROM entries") if can_see(vis, PUBLIC)}

    # -- the one write path --------------------------------------------------------------------
    def apply(self, batch: Batch) -> int:
        try:
            return self._apply_batch(batch)
        except sqlite3.OperationalError as e:
            if "readonly" not in str(e) and "unable to open" not in str(e):
                raise
            from . import StoreError

            raise StoreError(_why(self.path, e)) from None

    def _apply_batch(self, batch: Batch) -> int:
        self._check_version()
        with self._write_lock:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                if db.execute("SELECT 1 FROM sqlite_master WHERE name GLOB 'stage_*' LIMIT 1").fetchone():
                    from .sqlite_stream import drop_leftovers

                    drop_leftovers(db)  # a long-running writer (the watcher) clears a crashed full sync's rows too
                content = self._apply(db, batch)
                rev = self.revision()
                if content:
                    rev += 1
                    db.execute("UPDATE meta SET value=? WHERE key='revision'", (str(rev),))
                fault_point()
                db.execute("COMMIT")
                return rev
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _apply(self, db: sqlite3.Connection, b: Batch) -> bool:
        """Write the batch; True when anything other than file bookkeeping changed."""
        content = bool(b.replace_all or b.upserts or b.deletes or b.edges or b.problems)
        if b.replace_all:
            for table in ("files", "entries", "edges", "problems"):
                db.execute(f"DELETE FROM {table}")
        for chunk in _chunks(b.deletes):
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM entries WHERE slug IN ({marks})", chunk)
            db.execute(f"DELETE FROM edges WHERE src IN ({marks})", chunk)
        # Rows are generated, not listed: a large batch's encoded records never sit in memory all at once.
        db.executemany(INSERT_ENTRY.format(table="entries"), map(entry_row, b.upserts))
        for chunk in _chunks(list(b.edges)):  # each source's edge list is replaced whole
            db.execute(f"DELETE FROM edges WHERE src IN ({','.join('?' * len(chunk))})", chunk)
        bulk = sum(map(len, b.edges.values())) > 5000 and db.execute("SELECT 1 FROM edges LIMIT 1").fetchone() is None
        if bulk:  # filling an empty table: building the indexes once afterwards is cheaper than maintaining them
            db.execute("DROP INDEX IF EXISTS edges_dst")
            db.execute("DROP INDEX IF EXISTS edges_key")
        db.executemany(INSERT_EDGE.format(table="edges"), edge_rows(b.edges))
        if bulk:
            db.execute("CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst)")
            db.execute("CREATE INDEX IF NOT EXISTS edges_key ON edges(key)")
        for chunk in _chunks(b.forget_files):
            db.execute(f"DELETE FROM files WHERE path IN ({','.join('?' * len(chunk))})", chunk)
        db.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)",
                       ((f.path, f.slug, f.mtime_ns, f.size, f.hash) for f in b.files))
        for path, probs in b.problems.items():
            if probs:
                db.execute("INSERT OR REPLACE INTO problems VALUES (?,?)", (path, codec.dumps(probs)))
            else:
                db.execute("DELETE FROM problems WHERE path=?", (path,))
        return content

    def stream(self) -> Stream:
        """A staging generation in this file (see kbsync.store.sqlite_stream)."""
        from .sqlite_stream import SQLiteStream

        self._check_version()
        try:
            return SQLiteStream(self)
        except sqlite3.OperationalError as e:
            if "readonly" not in str(e) and "unable to open" not in str(e):
                raise
            from . import StoreError

            raise StoreError(_why(self.path, e)) from None

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


INSERT_ENTRY = "INSERT OR REPLACE INTO {table} VALUES (?,?,?,?,?,?,?,?,?,?)"
# Staged edge rows put what resolution decides last, so a resolved row is the raw one plus a 3-tuple.
INSERT_EDGE = f"INSERT INTO {{table}} ({', '.join(EDGE_ROW)}) VALUES ({','.join('?' * 13)})"


def entry_row(r: Record) -> tuple[Any, ...]:
    """The `entries` row of a record (the stream stages the same rows)."""
    return (r["slug"], r["path"], r["type"], r["visibility"], r["title"],
            codec.dumps([t.casefold() for t in r.get("tags", [])]), codec.dumps(r.get("aliases") or []),
            r.get("handle"), None if r.get("listed_chapters") is None else codec.dumps(r["listed_chapters"]),
            codec.dumps(r))


def edge_rows(edges: dict[str, list[Edge]]) -> Iterator[tuple[Any, ...]]:
    """`edges` rows in EDGE_ROW order, generated: a large batch's rows never sit in memory all at once."""
    for src, lst in edges.items():
        for i, e in enumerate(lst):
            yield (src, i, e.kind, e.raw, e.key, e.line, e.anchor, e.label, e.target, int(e.md)) + \
                resolved_cols(e.dst, e.attachment, e.ambiguous)


def fault_point() -> None:
    """Crash-safety tests only: die between writing a batch and committing it."""
    if os.environ.get("KB_FAULT_INJECT") == "kill-before-commit":
        os.kill(os.getpid(), signal.SIGKILL)


def _retry_locked(fn: Any, tries: int = 50) -> Any:
    """Run fn, retrying while another process holds a lock SQLite does not wait for (WAL switch, first schema)."""
    for i in range(tries):
        try:
            return fn()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or i == tries - 1:
                raise
            time.sleep(0.05 * (i + 1))
    return None


def _chunks(items: list[Any], n: int = 500) -> Iterator[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]
