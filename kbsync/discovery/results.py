"""Discovery results at rest: per viewer, the last build's per-entry fields and topics, tagged with the store
revision they were computed from, so a restarted reader (entry JSON, API routes, the home page) answers at once."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from .enrich import Discovery

# One row per (viewer, slug): two viewers see the same entry with different lists.
SCHEMA = """
CREATE TABLE IF NOT EXISTS discovery_fields (viewer TEXT NOT NULL, slug TEXT NOT NULL, fields TEXT NOT NULL,
  PRIMARY KEY (viewer, slug));
CREATE TABLE IF NOT EXISTS discovery_topics (id INTEGER, viewer TEXT NOT NULL, revision INTEGER NOT NULL,
  topic TEXT NOT NULL, PRIMARY KEY (viewer, id));
CREATE TABLE IF NOT EXISTS discovery_builds (viewer TEXT PRIMARY KEY, revision INTEGER NOT NULL, digest TEXT);
"""


class Results:
    """Written after a build or an update (one transaction per viewer, so a reader sees one build or the other)."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    def save(self, d: Discovery, revision: int, slugs: list[str] | None = None) -> None:
        """A Discovery's fields and topics as of the store's `revision` (a build), or only the fields of `slugs`
        (an update: the changed entries and those whose lists moved; an entry hidden since loses its row)."""
        if slugs is None:
            self.save_fields(d.viewer, revision, d.fields(), d.topics)
            return
        fields = d.fields()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for s in slugs:
                self.db.execute("DELETE FROM discovery_fields WHERE viewer=? AND slug=?", (d.viewer, s))
            self.db.executemany("INSERT INTO discovery_fields VALUES (?,?,?)",
                                [(d.viewer, s, orjson.dumps(fields[s])) for s in slugs if s in fields])
            self.db.execute("INSERT OR REPLACE INTO discovery_builds VALUES (?,?,NULL)", (d.viewer, revision))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def save_fields(self, viewer: str, revision: int, fields: dict[str, dict[str, Any]],
                    topics: list[dict[str, Any]], digest: str | None = None) -> None:
        """Replace `viewer`'s results: entries gone or hidden since leave no row behind. `digest`: of the inputs,
        for a reader that knows them (the site) to reuse the results only when they match."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM discovery_fields WHERE viewer=?", (viewer,))
            self.db.execute("DELETE FROM discovery_topics WHERE viewer=?", (viewer,))
            self.db.executemany("INSERT INTO discovery_fields VALUES (?,?,?)",
                                [(viewer, s, orjson.dumps(f)) for s, f in fields.items()])
            self.db.executemany("INSERT INTO discovery_topics VALUES (?,?,?,?)",
                                [(t["id"], viewer, revision, orjson.dumps(t)) for t in topics])
            self.db.execute("INSERT OR REPLACE INTO discovery_builds VALUES (?,?,?)", (viewer, revision, digest))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def load(self, viewer: str = "public") -> tuple[int, dict[str, dict[str, Any]], list[dict[str, Any]]] | None:
        """(revision, slug -> fields, topics) of `viewer`'s last saved build, None when there is none."""
        self.db.execute("BEGIN")  # one snapshot: a writer's transaction lands before or after, never between
        try:
            rev = self.revision(viewer)
            if rev is None:
                return None
            fields = {s: orjson.loads(f) for s, f in self.db.execute(
                "SELECT slug, fields FROM discovery_fields WHERE viewer=?", (viewer,))}
            return rev, fields, self.topics(viewer)
        finally:
            self.db.execute("COMMIT")

    def get(self, slug: str, viewer: str = "public") -> dict[str, Any] | None:
        row = self.db.execute("SELECT fields FROM discovery_fields WHERE viewer=? AND slug=?", (viewer, slug)).fetchone()
        return orjson.loads(row[0]) if row else None

    def topics(self, viewer: str = "public") -> list[dict[str, Any]]:
        return [orjson.loads(t) for (t,) in self.db.execute(
            "SELECT topic FROM discovery_topics WHERE viewer=? ORDER BY id", (viewer,))]

    def digest(self, viewer: str) -> str | None:
        row = self.db.execute("SELECT digest FROM discovery_builds WHERE viewer=?", (viewer,)).fetchone()
        return row[0] if row else None

    def revision(self, viewer: str = "public") -> int | None:
        row = self.db.execute("SELECT revision FROM discovery_builds WHERE viewer=?", (viewer,)).fetchone()
        return int(row[0]) if row else None

    def close(self) -> None:
        self.db.close()
