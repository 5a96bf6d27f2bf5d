"""`KB_ROLE`: what one `kb serve` process does, and the read-only store a reader opens.

- `all` (default, `make run`): sync at start, keep the site built, watch the content, serve API + site.
- `writer` (one per store): sync at start, keep the site built in `KB_SITE_DIR`, watch; no HTTP.
- `reader` (any number): serve API + the site found in `KB_SITE_DIR`; never syncs, watches or builds,
  needs no content folder, and opens a SQLite store read-only (`mode=ro`), so it cannot write it.
"""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .settings import Settings
from .store import StoreError, open_store
from .store.sqlite import SQLiteStore

log = logging.getLogger("kbsync.serve")

ROLES = ("all", "writer", "reader")


def resolve_role(s: Settings) -> str:
    """`KB_ROLE`; the deprecated `KB_SERVE_WATCH=false` (when `KB_ROLE` is unset) means `reader`."""
    if "role" not in s.model_fields_set and not s.serve_watch:
        log.warning("KB_SERVE_WATCH is deprecated: use KB_ROLE=reader (taken as reader)")
        return "reader"
    return s.role


def writes(role: str) -> bool:
    """Whether a `kb serve` process with this role syncs and watches (writes the store and the site)."""
    return role in ("all", "writer")


def serves_http(role: str) -> bool:
    return role in ("all", "reader")


class ReadOnlySQLiteStore(SQLiteStore):
    """The shared SQLite file opened `mode=ro`: no schema, no WAL switch, no write can reach it."""

    def _create(self) -> None:  # the writer creates the schema; a reader must not
        return None

    def _conn(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if not Path(self.path).is_file():  # not ready (503) until the writer has created the store
                raise StoreError(f"{self.path} does not exist yet: the writer (`kb sync` or KB_ROLE=writer) creates it")
            db = sqlite3.connect(f"file:{quote(self.path)}?mode=ro", uri=True, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            self._local.db = db
        return db

    def apply(self, batch: Any) -> int:
        raise StoreError(f"{self.path} is open read-only (KB_ROLE=reader): only the writer applies batches")

    def migrate(self) -> bool:
        raise StoreError(f"{self.path} is open read-only (KB_ROLE=reader): run `kb migrate` where the writer runs")


def open_reader_store(s: Settings) -> Any:
    """The store a reader reads: SQLite read-only; MongoDB as is (a reader never calls its write methods)."""
    url = s.resolved_store_url()
    if url.startswith("sqlite:"):
        st = ReadOnlySQLiteStore(url)
        if st.path == ":memory:":
            raise StoreError("a reader cannot share an in-memory SQLite store: point KB_STORE_URL at a file")
        return st
    return open_store(url, mongodb_db=s.mongodb_db)


def check_layout(st: Any) -> None:
    """Refuse a store of another layout; a store the writer has not created yet is fine (not ready until it has)."""
    try:
        version = st.schema_version()
    except (StoreError, sqlite3.Error):
        return
    if version != st.layout:
        raise StoreError(f"the store has layout {version}, this kb reads layout {st.layout}: "
                         "run `kb migrate` where the writer runs")
