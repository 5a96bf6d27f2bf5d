"""MongoStore: the store contract plus what only the generation scheme promises.

Runs against a real server when KB_TEST_MONGODB_URI is set (CI's mongo:7 service),
and always against mongomock-ng as a contract double, both with and without
transactions. Test ids say which: `[mongomock]`, `[mongomock-txn]`, `[real]`.
"""
from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import mongomock_ng
import pytest

from kbsync.store import open_store
from kbsync.store.base import Batch, FileState
from kbsync.store.mongo import LIVE, VERSIONED, MongoStore, StoreBusy
from kbsync.testing.corpus import ensure

from .contract import StoreContract, edge, rec, seed

REAL_URI = os.environ.get("KB_TEST_MONGODB_URI")
BACKENDS = [
    pytest.param("mongomock", id="mongomock"),
    pytest.param("mongomock-txn", id="mongomock-txn"),
    pytest.param("real", id="real", marks=pytest.mark.skipif(
        not REAL_URI, reason="KB_TEST_MONGODB_URI is unset: no MongoDB server on this machine")),
]


class Backend:
    """Makes MongoStores that share one database (a writer and readers, or a crashed and a new writer)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.db = f"kb_test_{uuid.uuid4().hex[:10]}"
        self.client = None if kind == "real" else mongomock_ng.MongoClient()
        self.stores: list[MongoStore] = []

    def store(self, **kw) -> MongoStore:
        if self.kind == "real":
            s = MongoStore(REAL_URI, db=self.db, **kw)
        else:
            kw.setdefault("transactions", self.kind == "mongomock-txn")
            s = MongoStore("mongodb://mongomock", db=self.db, client=self.client, **kw)
        self.stores.append(s)
        return s

    def close(self) -> None:
        if self.kind == "real" and self.stores:
            self.stores[0].client.drop_database(self.db)
        for s in self.stores:
            s.close()


@pytest.fixture(params=BACKENDS)
def backend(request):
    b = Backend(request.param)
    print(f"MongoStore backend: {b.kind}")
    yield b
    b.close()


@pytest.fixture
def store(backend) -> MongoStore:
    return backend.store()


class TestMongoContract(StoreContract):
    """The shared store contract; the `store` fixture above runs it per backend."""


def test_upsert_replaces_the_entry_that_held_the_same_path(store):
    seed(store)
    store.apply(Batch(upserts=[rec("renamed", path="a.md")]))
    assert store.get("a") is None
    assert store.get("renamed")["path"] == "a.md"


def test_edges_keep_their_order_per_source(store):
    seed(store)
    assert [(e.src, e.seq, e.dst) for e in store.edges_from(["a", "b"])] == [
        ("a", 0, "b"), ("a", 1, None), ("b", 0, "a")]


@pytest.mark.parametrize("record", [
    rec("odd", fields={"a.b": 1, "$dollar": "x", "big": 2**70, "nested": {"list": [1, "2", None, True]}}),
    rec("unicode", title="Zürich 数据", tags=["café", "知识库"]),
])
def test_records_round_trip_exactly(store, record):
    store.apply(Batch(upserts=[record]))
    got = store.get(record["slug"])
    assert {k: got[k] for k in record} == record


class Boom(RuntimeError):
    pass


def crash_during(store: MongoStore, collection: str):
    """Make the store's writer die right after writing `collection` (before the flip)."""
    real = store._insert

    def insert(name, docs, session):
        real(name, docs, session)
        if name == collection:
            raise Boom(f"killed after writing {name}")
    store._insert = insert


@pytest.mark.parametrize("collection", ["entries", "edges", "files"])
def test_a_writer_dying_mid_batch_leaves_readers_on_the_old_revision(backend, collection):
    writer, reader = backend.store(), backend.store()
    seed(writer)
    before = (list(reader.entries()), list(reader.edges_from()), reader.file_states(), reader.problems())
    crash_during(writer, collection)
    with pytest.raises(Boom):
        writer.apply(Batch(upserts=[rec("a", title="Changed"), rec("new")], deletes=["b"],
                           edges={"a": []}, files=[FileState("new.md", "new", 2, 2, "hn")],
                           problems={"bad.md": []}))
    assert reader.revision() == 1
    assert (list(reader.entries()), list(reader.edges_from()), reader.file_states(), reader.problems()) == before
    # a new writer (a restarted sync worker) rolls the debris back and commits normally
    successor = backend.store(lease_s=60)
    if not writer.transactions:
        writer.db.meta.update_one({"_id": "meta"}, {"$set": {"lock.until": 0}})  # the dead writer's lease expired
    assert successor.apply(Batch(upserts=[rec("e")])) == 2
    assert [r["slug"] for r in reader.entries()] == ["a", "b", "c", "d", "e"]
    assert reader.get("a")["title"] == "A"
    live = reader.db.entries.count_documents({"_x": LIVE})
    assert live == 5  # no half-written documents survived


def test_readers_never_see_a_half_applied_batch(backend):
    writer, reader = backend.store(), backend.store()
    seed(writer)
    seen = []
    real = writer._insert

    def insert(name, docs, session):
        real(name, docs, session)
        seen.append((name, sorted(r["slug"] for r in reader.entries()), reader.revision(),
                     [e.dst for e in reader.edges_from(["a"])]))
    writer._insert = insert
    writer.apply(Batch(upserts=[rec("a"), rec("e"), rec("f")], deletes=["b"],
                       edges={"a": [edge("a", "e")], "e": [edge("e", "f")]}))
    assert seen and all(view == ["a", "b", "c", "d"] and rev == 1 and dsts == ["b", None] for _, view, rev, dsts in seen)
    assert [r["slug"] for r in reader.entries()] == ["a", "c", "d", "e", "f"]
    assert [e.dst for e in reader.edges_from(["a"])] == ["e"]


def test_superseded_documents_are_garbage_collected_after_the_grace_period(backend):
    keep, drop = backend.store(gc_grace=3600), backend.store(gc_grace=0)
    seed(keep)
    keep.apply(Batch(upserts=[rec("a", title="v2")]))
    assert keep.db.entries.count_documents({"slug": "a"}) == 2  # the old version waits for slow readers
    drop.apply(Batch(upserts=[rec("a", title="v3")]))
    assert drop.db.entries.count_documents({"slug": "a"}) == 1
    assert drop.get("a")["title"] == "v3"
    for name in VERSIONED:
        assert drop.db[name].count_documents({"_x": {"$lt": LIVE}}) == 0


def test_a_second_live_writer_waits_then_gives_up(backend):
    first, second = backend.store(), backend.store(busy_timeout=0.2)
    seed(first)
    first.db.meta.update_one({"_id": "meta"}, {"$set": {"lock": {"owner": first.writer_id, "until": 1e12}}})
    with pytest.raises(StoreBusy):
        second.apply(Batch(upserts=[rec("x")]))
    assert second.revision() == 1


def test_concurrent_readers_while_writing(backend):
    writer, reader = backend.store(), backend.store()
    seed(writer)
    errors: list[str] = []
    stop = threading.Event()

    def read():
        while not stop.is_set():
            slugs = {r["slug"] for r in reader.entries()}
            # each batch below swaps x<n> for x<n+1>: exactly one of them is ever visible
            if len([s for s in slugs if s.startswith("x")]) > 1:
                errors.append(str(sorted(slugs)))
    writer.apply(Batch(upserts=[rec("x0")]))
    t = threading.Thread(target=read)
    t.start()
    for n in range(15):
        writer.apply(Batch(upserts=[rec(f"x{n + 1}")], deletes=[f"x{n}"]))
    stop.set()
    t.join()
    assert errors == []


def test_open_store_dispatches_mongodb_urls(monkeypatch):
    monkeypatch.setenv("KB_MONGODB_DB", "kb_custom")
    s = open_store("mongodb://127.0.0.1:1")  # pymongo connects lazily: nothing is contacted here
    try:
        assert isinstance(s, MongoStore) and s.db.name == "kb_custom"
    finally:
        s.close()


@pytest.fixture(scope="module")
def corpus80(tmp_path_factory) -> Path:
    """A small generated corpus (with malformed files): mongomock is slow, the point is coverage."""
    return ensure(tmp_path_factory.mktemp("corpus80"), 80, bad=True)[0]


def test_sync_pipeline_gives_the_same_index_as_sqlite(tmp_path, corpus80, backend):
    """The real sync over a generated corpus: MongoDB and SQLite end up holding the same thing."""
    from kbsync.store.sqlite import SQLiteStore
    from kbsync.sync import Syncer

    content = tmp_path / "content"
    shutil.copytree(corpus80, content, symlinks=True)  # the --bad corpus has a symlink loop
    mongo = backend.store()
    sqlite = SQLiteStore(f"sqlite://{tmp_path / 'kb.sqlite'}")

    def same() -> None:
        assert mongo.revision() == sqlite.revision()
        assert list(mongo.entries()) == list(sqlite.entries())
        assert mongo.file_states() == sqlite.file_states()
        assert mongo.problems() == sqlite.problems()
        assert sorted(mongo.names(), key=lambda r: r["slug"]) == sorted(sqlite.names(), key=lambda r: r["slug"])

    syncers = [Syncer(content, s, workers=1) for s in (mongo, sqlite)]
    for s in syncers:
        s.sync()
    same()
    files = sorted(content.rglob("*.md"))
    files[0].write_text("---\ntitle: Rewritten\ntags: [new]\n---\nlinks to [[Rewritten]] and [[nowhere]]\n")
    files[1].rename(files[1].with_name("Moved Here.md"))
    files[2].unlink()
    for s in syncers:
        s.sync()
    same()
    for s in syncers:
        s.sync(full=True)
    same()
    sqlite.close()


@pytest.fixture(scope="module")
def _mock_gridfs():
    """Let pymongo's gridfs accept mongomock collections (it still accepts real ones too)."""
    from unittest import mock

    from mongomock_ng.gridfs import enable_gridfs_integration

    enable_gridfs_integration()
    yield
    mock.patch.stopall()


@pytest.fixture
def gridfs_backend(backend, _mock_gridfs):
    return backend


def test_attachments_are_copied_to_gridfs_when_enabled(tmp_path, gridfs_backend):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "photo.png").write_bytes(b"\x89PNG first")
    store = gridfs_backend.store(attachments_root=tmp_path)
    store.apply(Batch(upserts=[rec("a")], files=[FileState("a.md", "a", 1, 1, "h"),
                                                  FileState("img/photo.png", None, 1, 10, "")]))
    assert store.attachment("img/photo.png") == b"\x89PNG first"
    assert store.attachment("a.md") is None  # entries live in records, not in GridFS
    (tmp_path / "img" / "photo.png").write_bytes(b"\x89PNG second")
    store.apply(Batch(files=[FileState("img/photo.png", None, 2, 11, "")]))
    assert store.attachment("img/photo.png") == b"\x89PNG second"
    assert len(list(store.bucket.find({"filename": "img/photo.png"}))) == 1  # the old blob is gone
    store.apply(Batch(forget_files=["img/photo.png"]))
    assert store.attachment("img/photo.png") is None


def test_attachments_are_off_by_default(tmp_path, gridfs_backend):
    (tmp_path / "x.png").write_bytes(b"x")
    store = gridfs_backend.store()
    store.apply(Batch(files=[FileState("x.png", None, 1, 1, "")]))
    assert store.attachment("x.png") is None


def test_read_model_reloads_incrementally_over_mongodb(tmp_path, corpus80, backend):
    """API replicas on MongoDB patch their read model from `snapshot(known)` as SQLite ones do, same answers."""
    from kbsync.sync import Syncer
    from kbsync.view.readmodel import ReadModel

    content = tmp_path / "content"
    shutil.copytree(corpus80, content, symlinks=True)
    mongo = backend.store()
    syncer = Syncer(content, mongo, workers=1)
    syncer.sync()
    before = ReadModel.from_store(mongo)
    assert before.patched == -1
    edited = sorted(content.rglob("*.md"))[0]
    edited.write_text("---\ntitle: Zebra Crossing\n---\nzebraword\n")
    syncer.sync()
    after, full = ReadModel.from_store(mongo, before), ReadModel.from_store(mongo)
    assert after.patched >= 1 and after.revision == full.revision == mongo.revision()
    assert [h["slug"] for h in after.search("zebraword")["hits"]] == [h["slug"] for h in full.search("zebraword")["hits"]]
    assert after.suggest("zebra cro") == full.suggest("zebra cro") and after.tags() == full.tags()
    assert after.entries(limit=500) == full.entries(limit=500)
