"""MongoDB store: every batch becomes visible at once, with or without transactions.

Generation scheme
-----------------
Every document in ``entries``, ``edges``, ``files`` and ``problems`` carries two
revisions: ``_v``, the revision that wrote it, and ``_x``, the revision that
superseded it (``LIVE`` = 2**62 while current). The single ``meta`` document
holds ``revision``, the last committed revision R. A reader first reads R and
then only sees documents with ``_v <= R < _x``.

``apply`` commits revision N = R + 1 in this order:

1. take the writer lease in ``meta`` (``lock``) and mark the store ``dirty``;
   if the previous writer died mid-batch (``dirty`` was already set), roll its
   debris back first: delete documents with ``_v > R``, revive ``_x > R``;
2. stamp ``_x = N`` on the current documents the batch replaces or deletes
   (everything for ``replace_all``) and bulk-insert the new ones with
   ``_v = N`` — none of this is visible to readers, who still filter on R;
3. flip ``meta.revision`` from R to N with one single-document update (guarded
   by ``revision == R`` and lease ownership), which is atomic on any server;
4. garbage-collect documents superseded by commits older than ``gc_grace``
   seconds (a reader that took its snapshot before them has had that long).

So readers never observe a half-applied batch, even on a standalone server,
and a failed or killed ``apply`` leaves only invisible debris that the next
writer removes. When the server is a replica set or mongos (``hello`` reports
``setName``/``msg: isdbgrid``), steps 1–3 also run inside one multi-document
transaction, so the debris never exists at all; ``transactions=`` forces it.

There is one writer (the sync worker). The lease (``lease_s``) only guards
against a second writer started by mistake and lets a restarted worker take
over from a crashed one; without transactions two live writers are not safe.

Records are stored as JSON text (``json``) so they round-trip exactly (any
front-matter key, any int), with ``slug``/``path``/``type``/``tags``/``title``
copied to top-level fields for indexes and ad-hoc queries.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from typing import Any

from pymongo import ASCENDING, MongoClient, ReturnDocument
from pymongo.errors import PyMongoError

from .base import Batch, Edge, FileState, Record

LIVE = 2**62
META_ID = "meta"
VERSIONED = ("entries", "edges", "files", "problems")
EDGE_FIELDS = tuple(f.name for f in fields(Edge))


class StoreBusy(RuntimeError):
    """Another writer holds the lease (or took it over while this batch was being written)."""


class MongoStore:
    """The Store protocol over MongoDB (pymongo); see the module docstring for the commit scheme."""

    def __init__(self, url: str, db: str = "kb", client: Any = None, *, transactions: bool | None = None,
                 lease_s: float = 60.0, gc_grace: float = 30.0, busy_timeout: float = 10.0) -> None:
        self.url = url
        self._own_client = client is None
        self.client = client if client is not None else MongoClient(url, serverSelectionTimeoutMS=5000, tz_aware=False)
        self.db = self.client[db]
        self.lease_s = lease_s
        self.gc_grace = gc_grace
        self.busy_timeout = busy_timeout
        self.writer_id = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._transactions = transactions
        self._ready = False

    # -- setup -------------------------------------------------------------------------------

    def _setup(self) -> None:
        if self._ready:
            return
        db = self.db
        db.meta.update_one({"_id": META_ID}, {"$setOnInsert": {"revision": 0, "history": []}}, upsert=True)
        db.entries.create_index([("slug", ASCENDING), ("_x", ASCENDING)], unique=True, name="slug_unique")
        db.entries.create_index([("type", ASCENDING)], name="type")
        db.entries.create_index([("tags", ASCENDING)], name="tags")
        db.edges.create_index([("src", ASCENDING), ("_i", ASCENDING)], name="src")
        db.edges.create_index([("dst", ASCENDING)], name="dst")
        db.edges.create_index([("key", ASCENDING)], name="key")
        db.files.create_index([("path", ASCENDING), ("_x", ASCENDING)], unique=True, name="path_unique")
        db.problems.create_index([("path", ASCENDING), ("_x", ASCENDING)], unique=True, name="path_unique")
        for name in VERSIONED:
            db[name].create_index([("_x", ASCENDING)], name="superseded")
            db[name].create_index([("_v", ASCENDING)], name="written")
        if self._transactions is None:
            self._transactions = self._supports_transactions()
        self._ready = True

    def _supports_transactions(self) -> bool:
        try:
            hello = self.client.admin.command("hello")
        except (PyMongoError, NotImplementedError, AttributeError):
            return False
        return bool(hello.get("setName")) or hello.get("msg") == "isdbgrid"

    @property
    def transactions(self) -> bool:
        self._setup()
        return bool(self._transactions)

    # -- reading -----------------------------------------------------------------------------

    def revision(self) -> int:
        self._setup()
        meta = self.db.meta.find_one({"_id": META_ID}, {"revision": 1})
        return int(meta["revision"]) if meta else 0

    def _visible(self, **query: Any) -> dict[str, Any]:
        rev = self.revision()
        return {**query, "_v": {"$lte": rev}, "_x": {"$gt": rev}}

    def file_states(self) -> dict[str, FileState]:
        out: dict[str, FileState] = {}
        for d in self.db.files.find(self._visible(), {"_id": 0, "_v": 0, "_x": 0}):
            out[d["path"]] = FileState(path=d["path"], slug=d.get("slug"), mtime_ns=int(d["mtime_ns"]),
                                       size=int(d["size"]), hash=d["hash"])
        return out

    def get(self, slug: str) -> Record | None:
        doc = self.db.entries.find_one(self._visible(slug=slug), {"json": 1})
        return json.loads(doc["json"]) if doc else None

    def entries(self, *, type: str | None = None, tag: str | None = None) -> Iterator[Record]:
        query: dict[str, Any] = {}
        if type is not None:
            query["type"] = type
        if tag is not None:
            query["tags"] = tag
        for doc in self.db.entries.find(self._visible(**query), {"json": 1}).sort("slug", ASCENDING):
            yield json.loads(doc["json"])

    def _edges(self, query: dict[str, Any]) -> list[Edge]:
        docs = self.db.edges.find(self._visible(**query), {"_id": 0, "_v": 0, "_x": 0})
        docs = sorted(docs, key=lambda d: (d["src"], d.get("_i", 0)))
        return [Edge(**{k: d.get(k) for k in EDGE_FIELDS if k in d}) for d in docs]

    def edges_from(self, slugs: Iterable[str] | None = None) -> Iterator[Edge]:
        query = {} if slugs is None else {"src": {"$in": list(slugs)}}
        yield from self._edges(query)

    def edges_to(self, slug: str) -> list[Edge]:
        return self._edges({"dst": slug})

    def edges_with_keys(self, keys: Iterable[str]) -> list[Edge]:
        return self._edges({"key": {"$in": list(keys)}})

    def problems(self) -> dict[str, list[Record]]:
        docs = self.db.problems.find(self._visible(), {"path": 1, "json": 1}).sort("path", ASCENDING)
        return {d["path"]: json.loads(d["json"]) for d in docs}

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    # -- writing -----------------------------------------------------------------------------

    def apply(self, batch: Batch) -> int:
        """Commit the batch atomically and return the new revision (unchanged if the batch is empty)."""
        self._setup()
        if batch.empty():
            return self.revision()
        if self.transactions:
            with self.client.start_session() as session:
                rev = session.with_transaction(lambda s: self._commit(batch, s))
        else:
            rev = self._commit(batch, None)
        self._gc()
        return rev

    def _acquire(self, session: Any) -> int:
        """Take the lease, roll back a dead writer's debris, and return the committed revision."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            now = time.time()
            before = self.db.meta.find_one_and_update(
                {"_id": META_ID, "$or": [{"lock": None}, {"lock.until": {"$lt": now}},
                                         {"lock.owner": self.writer_id}]},
                {"$set": {"lock": {"owner": self.writer_id, "until": now + self.lease_s}, "dirty": True}},
                return_document=ReturnDocument.BEFORE, session=session)
            if before is not None:
                break
            if time.monotonic() > deadline:
                raise StoreBusy("another writer holds the MongoDB store lease")
            time.sleep(0.05)
        rev = int(before["revision"])
        if before.get("dirty"):
            self._rollback(rev, session)
        return rev

    def _rollback(self, rev: int, session: Any) -> None:
        for name in VERSIONED:
            self.db[name].delete_many({"_v": {"$gt": rev}}, session=session)
            self.db[name].update_many({"_x": {"$gt": rev, "$lt": LIVE}}, {"$set": {"_x": LIVE}}, session=session)

    def _supersede(self, name: str, field: str, values: Iterable[str], new: int, session: Any) -> None:
        values = list(dict.fromkeys(values))
        if values:
            self.db[name].update_many({field: {"$in": values}, "_x": LIVE}, {"$set": {"_x": new}}, session=session)

    def _insert(self, name: str, docs: list[dict[str, Any]], session: Any) -> None:
        if docs:
            self.db[name].insert_many(docs, ordered=False, session=session)

    def _commit(self, batch: Batch, session: Any) -> int:
        rev = self._acquire(session)
        new = rev + 1
        tag = {"_v": new, "_x": LIVE}
        db = self.db
        if batch.replace_all:
            for name in VERSIONED:
                db[name].update_many({"_x": LIVE}, {"$set": {"_x": new}}, session=session)
        upserts = {rec["slug"]: rec for rec in batch.upserts}  # the last record of a slug wins
        upsert_slugs = set(upserts)
        deletes = [s for s in batch.deletes if s not in upsert_slugs]
        self._supersede("entries", "slug", [*batch.deletes, *upserts], new, session)
        self._insert("entries", [{
            "slug": slug, "path": rec.get("path"), "type": rec.get("type"), "tags": list(rec.get("tags") or []),
            "title": rec.get("title"), "json": json.dumps(rec, ensure_ascii=False), **tag,
        } for slug, rec in upserts.items()], session)
        # a deleted entry takes its edges with it; edges name their complete new list per source
        self._supersede("edges", "src", [*deletes, *batch.edges], new, session)
        self._insert("edges", [{**asdict(e), "_i": i, **tag}
                               for edges in batch.edges.values() for i, e in enumerate(edges)], session)
        files = {f.path: f for f in batch.files}
        self._supersede("files", "path", [*batch.forget_files, *files], new, session)
        self._insert("files", [{**asdict(f), **tag} for f in files.values()], session)
        self._supersede("problems", "path", list(batch.problems), new, session)
        self._insert("problems", [{"path": p, "json": json.dumps(items, ensure_ascii=False), **tag}
                                  for p, items in batch.problems.items() if items], session)
        now = time.time()
        flipped = db.meta.update_one(
            {"_id": META_ID, "revision": rev, "lock.owner": self.writer_id},
            {"$set": {"revision": new, "dirty": False}, "$unset": {"lock": ""},
             "$push": {"history": {"$each": [[new, now]], "$slice": -64}}}, session=session)
        if flipped.matched_count != 1:
            raise StoreBusy("the store lease was taken over before this batch committed")
        return new

    def _gc(self) -> None:
        """Drop documents superseded by commits older than gc_grace seconds."""
        meta = self.db.meta.find_one({"_id": META_ID}, {"history": 1}) or {}
        cutoff = time.time() - self.gc_grace
        old = [int(rev) for rev, at in meta.get("history", []) if at <= cutoff]
        if not old:
            return
        upto = max(old)
        for name in VERSIONED:
            self.db[name].delete_many({"_x": {"$lte": upto}})
