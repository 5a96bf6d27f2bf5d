"""MongoDB store: every batch becomes visible at once, with or without transactions.

Generation scheme
-----------------
Every document in ``entries``, ``edges``, ``files`` and ``problems`` carries two
generation numbers: ``_v``, the generation that wrote it, and ``_x``, the one
that superseded it (``LIVE`` = 2**62 while current). The single ``meta``
document holds ``gen``, the last committed generation G, and ``revision``, the
public revision (bumped, like SQLite's, only when a batch changes more than
file bookkeeping). A reader first reads G and then only sees documents with
``_v <= G < _x``; one public call (``get``, ``entries``, ...) uses one G.

``apply`` commits generation N = G + 1 in this order:

1. take the writer lease in ``meta`` (``lock``) and mark the store ``dirty``;
   if the previous writer died mid-batch (``dirty`` was already set), roll its
   debris back first: delete documents with ``_v > G``, revive ``_x > G``;
2. stamp ``_x = N`` on the current documents the batch replaces or deletes
   (everything for ``replace_all``) and bulk-insert the new ones with
   ``_v = N`` -- none of this is visible to readers, who still filter on G;
3. flip ``meta.gen`` (and ``meta.revision``) with one single-document update,
   guarded by ``gen == G`` and lease ownership, which is atomic on any server;
4. garbage-collect documents superseded by commits older than ``gc_grace``
   seconds (a reader that took its snapshot before them has had that long).

So readers never observe a half-applied batch, even on a standalone server,
and a failed or killed ``apply`` leaves only invisible debris that the next
writer removes. When the server is a replica set or mongos (``hello`` reports
``setName`` / ``msg: isdbgrid``), steps 1-3 also run inside one multi-document
transaction, so the debris never exists at all; ``transactions=`` forces it.

There is one writer (the sync worker). The lease (``lease_s``) guards against a
second writer started by mistake and lets a restarted worker take over from a
crashed one; without transactions two *live* writers are not safe.

Records are stored as JSON text (``record``, and the light ``names`` row) so
they round-trip exactly (any front-matter key, any int); ``slug``, ``path``,
``type``, ``visibility``, ``title``, ``tags`` and lowercased ``tags_lc`` are
top-level fields for indexes and ad-hoc queries. ``get``/``entries`` attach
links and backlinks with :func:`kbsync.store.assemble.assemble`, as SQLite does.

Attachments in GridFS (optional): with ``attachments_root`` (the content dir)
``apply`` also copies the bytes of every attachment the batch lists (a file
state without a slug) into the GridFS bucket ``attachments`` under its
content-relative path, before the flip, and removes forgotten ones after it;
``attachment(path)`` reads them back, so API replicas need no content volume.
Blobs are keyed by path, outside the generation scheme: an updated image may
be served a moment before the revision that lists it.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import gridfs
from pymongo import ASCENDING, MongoClient, ReturnDocument
from pymongo.errors import PyMongoError

from ..visibility import PUBLIC, can_see
from .assemble import assemble
from .base import (
    NAME_KEYS,
    READ_HIDDEN_KINDS,
    Batch,
    Edge,
    FileState,
    ReadSnapshot,
    Record,
    Stream,
    changed_slugs,
    file_hashes,
)

LIVE = 2**62
META_ID = "meta"
VERSIONED = ("entries", "edges", "files", "problems")
EDGE_FIELDS = Edge._fields
REQUIRED = ("slug", "path", "title", "type", "visibility")  # what the indexes and read paths rely on
SCHEMA_VERSION = 1  # layout of the documents; bump with a migration in `migrate()`


class StoreBusy(RuntimeError):
    """Another writer holds the lease (or took it over while this batch was being written)."""


def _edge(doc: dict[str, Any]) -> Edge:
    e = Edge(**{k: doc[k] for k in EDGE_FIELDS if k in doc})
    amb = e.ambiguous  # BSON arrays come back as lists; a document written before candidates were kept holds a bool
    return e if amb == () else e._replace(ambiguous=tuple(amb) if isinstance(amb, list) else ())


class MongoStore:
    """The Store protocol over MongoDB (pymongo); see the module docstring for the commit scheme."""

    layout = SCHEMA_VERSION  # what this code writes; schema_version() is what the database holds

    def __init__(self, url: str, db: str = "kb", client: Any = None, *, transactions: bool | None = None,
                 lease_s: float = 60.0, gc_grace: float = 30.0, busy_timeout: float = 10.0,
                 attachments_root: str | Path | None = None) -> None:
        self.url = url
        self._own_client = client is None
        self.client = client if client is not None else MongoClient(url, serverSelectionTimeoutMS=5000)
        self.db = self.client[db]
        self.lease_s = lease_s
        self.gc_grace = gc_grace
        self.busy_timeout = busy_timeout
        self.writer_id = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._transactions = transactions
        self._ready = False
        self.attachments_root = Path(attachments_root) if attachments_root is not None else None
        self._bucket: gridfs.GridFS | None = None

    # -- setup -------------------------------------------------------------------------------

    def _setup(self) -> None:
        if self._ready:
            return
        db = self.db
        db.meta.update_one({"_id": META_ID}, {"$setOnInsert": {"revision": 0, "gen": 0, "history": [],
                                                                "schema_version": SCHEMA_VERSION}}, upsert=True)
        db.entries.create_index([("slug", ASCENDING), ("_x", ASCENDING)], unique=True, name="slug_unique")
        db.entries.create_index([("path", ASCENDING), ("_x", ASCENDING)], unique=True, name="path_unique")
        db.entries.create_index([("type", ASCENDING)], name="type")
        db.entries.create_index([("tags_lc", ASCENDING)], name="tags")
        db.edges.create_index([("src", ASCENDING), ("seq", ASCENDING)], name="src")
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
        except (PyMongoError, NotImplementedError, AttributeError):  # mongomock has no `hello`: no transactions
            return False
        return bool(hello.get("setName")) or hello.get("msg") == "isdbgrid"

    @property
    def transactions(self) -> bool:
        self._setup()
        return bool(self._transactions)

    # -- reading (each public call reads one committed generation) ---------------------------

    def _meta(self) -> dict[str, Any]:
        self._setup()
        return self.db.meta.find_one({"_id": META_ID}, {"revision": 1, "gen": 1}) or {"revision": 0, "gen": 0}

    def _snapshot(self) -> int:
        return int(self._meta().get("gen", 0))

    @staticmethod
    def _at(gen: int, **query: Any) -> dict[str, Any]:
        return {**query, "_v": {"$lte": gen}, "_x": {"$gt": gen}}

    def revision(self) -> int:
        return int(self._meta()["revision"])

    def file_states(self) -> dict[str, FileState]:
        docs = self.db.files.find(self._at(self._snapshot()), {"_id": 0, "_v": 0, "_x": 0})
        return {d["path"]: FileState(path=d["path"], slug=d.get("slug"), mtime_ns=int(d["mtime_ns"]),
                                     size=int(d["size"]), hash=d["hash"]) for d in docs}

    def names(self) -> list[Record]:
        return [json.loads(d["names"]) for d in self.db.entries.find(self._at(self._snapshot()), {"names": 1})]

    def _edges(self, gen: int, query: dict[str, Any]) -> list[Edge]:
        docs = list(self.db.edges.find(self._at(gen, **query), {"_id": 0, "_v": 0, "_x": 0}))
        docs.sort(key=lambda d: (d["src"], d["seq"]))
        return [_edge(d) for d in docs]

    def _public(self, gen: int) -> set[str]:
        return {d["slug"] for d in self.db.entries.find(self._at(gen), {"slug": 1, "visibility": 1})
                if can_see(d.get("visibility"), PUBLIC)}

    def get(self, slug: str) -> Record | None:
        gen = self._snapshot()
        doc = self.db.entries.find_one(self._at(gen, slug=slug), {"record": 1})
        if doc is None:
            return None
        out_e, in_e = self._edges(gen, {"src": slug}), self._edges(gen, {"dst": slug})
        sources = sorted({e.src for e in in_e})  # only the linking entries' visibility, not the whole corpus
        public = {d["slug"] for d in self.db.entries.find(self._at(gen, slug={"$in": sources}),
                                                          {"slug": 1, "visibility": 1})
                  if can_see(d.get("visibility"), PUBLIC)}
        return assemble(json.loads(doc["record"]), out_e, in_e, public)

    def records(self) -> Iterator[Record]:
        gen = self._snapshot()
        for doc in self.db.entries.find(self._at(gen), {"record": 1}).sort("slug", ASCENDING):
            yield json.loads(doc["record"])

    def snapshot(self, known: dict[str, str] | None = None, max_delta: int = 0,
                 live: Iterable[str] = ()) -> ReadSnapshot:
        """Every read at one committed generation, so MongoDB replicas get the same incremental reloads."""
        meta = self._meta()
        gen, rev = int(meta.get("gen", 0)), int(meta["revision"])
        files = self.db.files.find(self._at(gen, slug={"$ne": None}), {"slug": 1, "hash": 1, "path": 1})
        hashes = file_hashes((d["slug"], d.get("hash")) for d in sorted(files, key=lambda d: d["path"]))
        moved = None
        if known is not None and self.db.entries.count_documents(self._at(gen)) == len(hashes):
            moved = changed_slugs(hashes, known, live, max_delta)
        links = {"dst": {"$ne": None}, "attachment": False, "kind": {"$nin": list(READ_HIDDEN_KINDS)}}

        def edges() -> Iterator[tuple[str, str, str]]:
            yield from ((e.src, e.dst, e.kind) for e in self._edges(gen, links) if e.dst)

        if moved is None:
            docs = self.db.entries.find(self._at(gen), {"record": 1})
            return ReadSnapshot(rev, (json.loads(d["record"]) for d in docs), edges(), hashes)
        changed, deleted = moved
        found = {d["slug"]: json.loads(d["record"])
                 for d in self.db.entries.find(self._at(gen, slug={"$in": changed}), {"slug": 1, "record": 1})}
        held = set(live)
        deleted += [slug for slug in changed if slug not in found and slug in held]

        def edges_of(sources: list[str]) -> Iterator[tuple[str, str, str]]:
            linking = {e.src for e in self._edges(gen, {"dst": {"$in": changed}})}
            for e in self._edges(gen, {"src": {"$in": sorted(set(sources) | linking)}, **links}):
                if e.dst:
                    yield e.src, e.dst, e.kind

        return ReadSnapshot(rev, iter(found.values()), edges(), hashes, True, deleted, edges_of)

    def schema_version(self) -> int:
        self._setup()
        doc = self.db.meta.find_one({"_id": META_ID}, {"schema_version": 1}) or {}
        return int(doc.get("schema_version", SCHEMA_VERSION))

    def migrate(self) -> bool:
        """Layout 1 is the first MongoDB layout: nothing to migrate yet (idempotent)."""
        return False

    def entries(self, *, type: str | None = None, tag: str | None = None) -> Iterator[Record]:
        gen = self._snapshot()
        query: dict[str, Any] = {}
        if type:
            query["type"] = type
        if tag:
            query["tags_lc"] = tag.casefold()
        docs = list(self.db.entries.find(self._at(gen, **query), {"slug": 1, "record": 1}).sort("slug", ASCENDING))
        out_e: dict[str, list[Edge]] = defaultdict(list)
        in_e: dict[str, list[Edge]] = defaultdict(list)
        for e in self._edges(gen, {}):
            out_e[e.src].append(e)
            if e.dst:
                in_e[e.dst].append(e)
        public = self._public(gen)
        for doc in docs:
            slug = doc["slug"]
            yield assemble(json.loads(doc["record"]), out_e.get(slug, []), in_e.get(slug, []), public)

    def edges_from(self, slugs: Iterable[str] | None = None) -> Iterator[Edge]:
        query = {} if slugs is None else {"src": {"$in": list(slugs)}}
        yield from self._edges(self._snapshot(), query)

    def edges_to(self, slug: str) -> list[Edge]:
        return self._edges(self._snapshot(), {"dst": slug})

    def edges_with_keys(self, keys: Iterable[str]) -> list[Edge]:
        return self._edges(self._snapshot(), {"key": {"$in": sorted(set(keys))}})

    def problems(self) -> dict[str, list[Record]]:
        docs = self.db.problems.find(self._at(self._snapshot()), {"path": 1, "problems": 1}).sort("path", ASCENDING)
        return {d["path"]: json.loads(d["problems"]) for d in docs}

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    # -- the one write path ------------------------------------------------------------------

    def apply(self, batch: Batch) -> int:
        """Commit the batch atomically and return the new revision (unchanged if the batch is empty)."""
        self._setup()
        if batch.empty():
            return self.revision()
        if self.attachments_root is not None:
            self._upload_attachments(batch)
        if self.transactions:
            with self.client.start_session() as session:
                rev = session.with_transaction(lambda s: self._commit(batch, s))
        else:
            rev = self._commit(batch, None)
        if self.attachments_root is not None:
            self._drop_attachments(batch)
        self._gc()
        return rev

    def stream(self) -> Stream:
        """A staging generation G+1, flipped live by its commit (see kbsync.store.mongo_stream)."""
        from .mongo_stream import MongoStream

        return MongoStream(self)

    # -- attachments in GridFS (optional) ----------------------------------------------------

    @property
    def bucket(self) -> gridfs.GridFS:
        if self._bucket is None:
            self._bucket = gridfs.GridFS(self.db, collection="attachments")
        return self._bucket

    def _delete_blobs(self, path: str) -> None:
        for f in list(self.bucket.find({"filename": path})):
            self.bucket.delete(f._id)

    def _upload_attachments(self, b: Batch) -> None:
        assert self.attachments_root is not None
        for f in b.files:
            if f.slug is not None:
                continue  # an entry: its text is in the record
            data = (self.attachments_root / f.path).read_bytes()
            old = [g._id for g in self.bucket.find({"filename": f.path})]
            self.bucket.put(data, filename=f.path, metadata={"mtime_ns": f.mtime_ns, "size": len(data)})
            for file_id in old:
                self.bucket.delete(file_id)

    def _drop_attachments(self, b: Batch) -> None:
        keep = {f.path for f in b.files if f.slug is None}
        if b.replace_all:
            for f in list(self.bucket.find({})):
                if f.filename not in keep:
                    self.bucket.delete(f._id)
        for path in b.forget_files:
            if path not in keep:
                self._delete_blobs(path)

    def attachment(self, path: str) -> bytes | None:
        """The bytes of an attachment stored in GridFS, or None."""
        try:
            return self.bucket.get_last_version(path).read()
        except gridfs.NoFile:
            return None

    def _acquire(self, session: Any) -> dict[str, Any]:
        """Take the lease, roll back a dead writer's debris, and return the meta document as it was."""
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
        if before.get("dirty"):
            self._rollback(int(before["gen"]), session)
        return before

    def _rollback(self, gen: int, session: Any) -> None:
        for name in VERSIONED:
            self.db[name].delete_many({"_v": {"$gt": gen}}, session=session)
            self.db[name].update_many({"_x": {"$gt": gen, "$lt": LIVE}}, {"$set": {"_x": LIVE}}, session=session)

    def _supersede(self, name: str, query: dict[str, Any], new: int, session: Any) -> None:
        self.db[name].update_many({**query, "_x": LIVE}, {"$set": {"_x": new}}, session=session)

    def _insert(self, name: str, docs: list[dict[str, Any]], session: Any) -> None:
        if docs:
            self.db[name].insert_many(docs, ordered=False, session=session)

    def _commit(self, b: Batch, session: Any) -> int:
        for r in b.upserts:  # refuse a bad record before anything is written, as SQLite's NOT NULLs do
            missing = [k for k in REQUIRED if r.get(k) is None]
            if missing:
                raise KeyError(f"entry record {r.get('slug')!r} lacks {', '.join(missing)}")
        meta = self._acquire(session)
        gen, rev = int(meta["gen"]), int(meta["revision"])
        new = gen + 1
        tag = {"_v": new, "_x": LIVE}
        content = bool(b.replace_all or b.upserts or b.deletes or b.edges or b.problems)
        if b.replace_all:
            for name in VERSIONED:
                self._supersede(name, {}, new, session)
        by_path = {r["path"]: r for r in b.upserts}  # as INSERT OR REPLACE: the last
        upserts = {r["slug"]: r for r in by_path.values()}  # record of a slug or a path wins
        # entries: deletes, then upserts replacing whatever held the same slug or path
        paths = [r["path"] for r in upserts.values()]
        self._supersede("entries", {"$or": [{"slug": {"$in": [*b.deletes, *upserts]}}, {"path": {"$in": paths}}]},
                        new, session)
        self._insert("entries", [{
            "slug": slug, "path": r["path"], "type": r["type"], "visibility": r["visibility"],
            "title": r["title"], "tags": list(r.get("tags") or []),
            "tags_lc": sorted({str(t).casefold() for t in r.get("tags") or []}),
            "names": json.dumps({k: r.get(k) for k in NAME_KEYS}, ensure_ascii=False),
            "record": json.dumps(r, ensure_ascii=False), **tag,
        } for slug, r in upserts.items()], session)
        # edges: a deleted entry takes its edges; each listed source gets its complete new list
        srcs = list(dict.fromkeys([*b.deletes, *b.edges]))
        if srcs:
            self._supersede("edges", {"src": {"$in": srcs}}, new, session)
        self._insert("edges", [{**{k: getattr(e, k) for k in EDGE_FIELDS}, "ambiguous": list(e.ambiguous), "src": src, "seq": i, **tag}
                               for src, edges in b.edges.items() for i, e in enumerate(edges)], session)
        files = {f.path: f for f in b.files}
        if b.forget_files or files:
            self._supersede("files", {"path": {"$in": [*b.forget_files, *files]}}, new, session)
        self._insert("files", [{"path": f.path, "slug": f.slug, "mtime_ns": f.mtime_ns, "size": f.size,
                                "hash": f.hash, **tag} for f in files.values()], session)
        if b.problems:
            self._supersede("problems", {"path": {"$in": list(b.problems)}}, new, session)
        self._insert("problems", [{"path": p, "problems": json.dumps(items, ensure_ascii=False), **tag}
                                  for p, items in b.problems.items() if items], session)
        new_rev = rev + 1 if content else rev
        flipped = self.db.meta.update_one(
            {"_id": META_ID, "gen": gen, "lock.owner": self.writer_id},
            {"$set": {"gen": new, "revision": new_rev, "dirty": False}, "$unset": {"lock": ""},
             "$push": {"history": {"$each": [[new, time.time()]], "$slice": -64}}}, session=session)
        if flipped.matched_count != 1:
            raise StoreBusy("the store lease was taken over before this batch committed")
        return new_rev

    def _gc(self) -> None:
        """Drop documents superseded by commits older than gc_grace seconds."""
        meta = self.db.meta.find_one({"_id": META_ID}, {"history": 1}) or {}
        cutoff = time.time() - self.gc_grace
        old = [int(g) for g, at in meta.get("history", []) if at <= cutoff]
        if old:
            for name in VERSIONED:
                self.db[name].delete_many({"_x": {"$lte": max(old)}})
