"""Open a store by URL: `sqlite:///path` (default) or `mongodb://…`."""
from __future__ import annotations

from .base import Batch, Edge, FileState, Record, Store


class StoreError(Exception):
    """A store URL that cannot be opened, or a store that went away."""


def open_store(url: str, *, mongodb_db: str | None = None, attachments_root: str | None = None,
               create: bool = True) -> Store:
    """`attachments_root` (MongoDB only, `KB_MONGODB_GRIDFS`): also keep attachment files in GridFS.

    `create=False` (read commands): a SQLite store that does not exist is an error, never a new empty file.
    """
    if url.startswith("sqlite:"):
        from .sqlite import SQLiteStore

        return SQLiteStore(url, create=create)
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from ..settings import (
            Settings,  # KB_MONGODB_DB, when the caller gave no database, via the one Settings
        )
        from .mongo import MongoStore  # imported lazily: pymongo is only needed for MongoDB

        return MongoStore(url, db=mongodb_db or Settings().mongodb_db, attachments_root=attachments_root)
    raise StoreError(f"unsupported store URL {url!r}: use sqlite:///path/kb.sqlite or mongodb://host/")


__all__ = ["Batch", "Edge", "FileState", "Record", "Store", "StoreError", "open_store"]
