"""Discovery results at rest: one SQLite table of per-entry fields and one of topics, tagged with the store
revision they were computed from, for the read side (entry JSON, site panels, API routes) to read."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from .enrich import Discovery

SCHEMA = """
CREATE TABLE IF NOT EXISTS discovery_entries (slug TEXT PRIMARY KEY, viewer TEXT NOT NULL, revision INTEGER NOT NULL,
  fields TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS discovery_topics (id INTEGER, viewer TEXT NOT NULL, revision INTEGER NOT NULL,
  topic TEXT NOT NULL, PRIMARY KEY (viewer, id));
"""


class Results:
    """Written by the one writer (sync/watcher) after a build or an update; read by any number of readers."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    def save(self, d: Discovery, revision: int, slugs: list[str] | None = None) -> None:
        """All entries (a build), or only `slugs` (an update: the changed entries and those whose lists moved)."""
        fields = d.fields()
        rows = [(s, d.viewer, revision, orjson.dumps(fields[s]).decode()) for s in (slugs or fields) if s in fields]
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if slugs is None:  # a build replaces everything: entries gone or hidden since leave no row behind
                self.db.execute("DELETE FROM discovery_entries WHERE viewer=?", (d.viewer,))
                self.db.execute("DELETE FROM discovery_topics WHERE viewer=?", (d.viewer,))
                self.db.executemany("INSERT INTO discovery_topics VALUES (?,?,?,?)",
                                    [(t["id"], d.viewer, revision, orjson.dumps(t).decode()) for t in d.topics])
            self.db.executemany("INSERT OR REPLACE INTO discovery_entries VALUES (?,?,?,?)", rows)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def get(self, slug: str, viewer: str = "public") -> dict[str, Any] | None:
        row = self.db.execute("SELECT fields FROM discovery_entries WHERE slug=? AND viewer=?", (slug, viewer)).fetchone()
        return orjson.loads(row[0]) if row else None

    def topics(self, viewer: str = "public") -> list[dict[str, Any]]:
        return [orjson.loads(t) for (t,) in self.db.execute(
            "SELECT topic FROM discovery_topics WHERE viewer=? ORDER BY id", (viewer,))]

    def revision(self, viewer: str = "public") -> int | None:
        row = self.db.execute("SELECT MIN(revision) FROM discovery_entries WHERE viewer=?", (viewer,)).fetchone()
        return row[0] if row else None
