"""MongoDB staging generation: a full sync's documents are written as generation G+1 while readers stay on G.

The same scheme as `MongoStore.apply` without a transaction (a full sync is too large for one): take the
lease, supersede every live document with `_x = G+1` (still visible at G), insert the new documents in
chunks with `_v = G+1` (invisible until the flip), then flip `meta.gen` with one guarded update. Each
chunk renews the lease. An abort, or a crash, leaves debris above G that the next writer rolls back.
"""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from . import codec
from .base import NAME_KEYS, Batch, Edge, Record
from .mongo import EDGE_FIELDS, LIVE, META_ID, REQUIRED, VERSIONED, StoreBusy

if TYPE_CHECKING:
    from .mongo import MongoStore


class MongoStream:
    """One full sync's staging generation in a MongoDB store (see the module docstring)."""

    def __init__(self, store: MongoStore) -> None:
        store._setup()
        self.store = store
        meta = store._acquire(None)
        self.gen, self.rev = int(meta["gen"]), int(meta["revision"])
        self.new = self.gen + 1
        self.tag = {"_v": self.new, "_x": LIVE}
        self.slugs: set[str] = set()  # staged so far: a later record of the same slug replaces the staged one
        self.paths: set[str] = set()  # ... and so does a later record of the same path
        self.done = False
        for name in VERSIONED:
            store._supersede(name, {}, self.new, None)

    def _renew(self) -> None:
        if self.done:
            raise RuntimeError("this stream is already committed or aborted")
        now = time.time()
        held = self.store.db.meta.update_one(
            {"_id": META_ID, "gen": self.gen, "lock.owner": self.store.writer_id},
            {"$set": {"lock.until": now + self.store.lease_s}})
        if held.matched_count != 1:
            raise StoreBusy("the store lease was taken over while this sync was streaming")

    def put(self, records: list[Record]) -> None:
        self.put_encoded([self.encode(r) for r in records])

    @staticmethod
    def encode(r: Record) -> dict[str, Any]:
        """The staged document of a record, without its generation tags: pure, so forked readers make it.

        Refuses a bad record before it is written, as SQLite's NOT NULLs do."""
        missing = [k for k in REQUIRED if r.get(k) is None]
        if missing:
            raise KeyError(f"entry record {r.get('slug')!r} lacks {', '.join(missing)}")
        return {"slug": r["slug"], "path": r["path"], "type": r["type"], "visibility": r["visibility"],
                "title": r["title"], "tags": list(r.get("tags") or []),
                "tags_lc": sorted({str(t).casefold() for t in r.get("tags") or []}),
                "names": json.dumps({k: r.get(k) for k in NAME_KEYS}, ensure_ascii=False),
                "record": json.dumps(r, ensure_ascii=False)}

    def put_encoded(self, docs: list[dict[str, Any]]) -> None:
        """Stage documents made by `encode`; a later one of the same slug or path replaces the staged one."""
        if not docs:
            return
        self._renew()
        upserts = {d["slug"]: d for d in {d["path"]: d for d in docs}.values()}  # the last of a slug or path
        again = [s for s in upserts if s in self.slugs]
        moved = [d["path"] for d in upserts.values() if d["path"] in self.paths]  # the path staged under another slug
        if again or moved:
            self.store.db.entries.delete_many({"_v": self.new, "$or": [{"slug": {"$in": again}},
                                                                       {"path": {"$in": moved}}]})
        self.slugs.update(upserts)
        self.paths.update(d["path"] for d in upserts.values())
        self.store._insert("entries", [{**d, **self.tag} for d in upserts.values()], None)

    def put_edges(self, edges: dict[str, list[Edge]]) -> None:
        if not edges:
            return
        self._renew()
        self.store._insert("edges", [{**{k: getattr(e, k) for k in EDGE_FIELDS}, "ambiguous": list(e.ambiguous),
                                      "src": src, "seq": i, **self.tag}
                                     for src, lst in edges.items() for i, e in enumerate(lst)], None)

    def put_edge_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Stage EDGE_ROW tuples (made for SQLite's executemany) as the documents `put_edges` writes."""
        if not rows:
            return
        self._renew()
        self.store._insert("edges", [
            {"src": src, "dst": dst, "kind": kind, "raw": raw, "key": key, "line": line, "anchor": anchor,
             "label": label, "attachment": bool(att), "ambiguous": codec.loads(amb) if amb else [], "target": target,
             "md": bool(md), "seq": seq, **self.tag}
            for src, seq, kind, raw, key, line, anchor, label, target, md, dst, att, amb in rows], None)

    def commit(self, rest: Batch) -> int:
        """Write `rest`'s files and problems into the new generation and flip it live."""
        store = self.store
        self._renew()
        if store.attachments_root is not None:
            store._upload_attachments(rest)
        files = {f.path: f for f in rest.files}
        store._insert("files", [{"path": f.path, "slug": f.slug, "mtime_ns": f.mtime_ns, "size": f.size,
                                 "hash": f.hash, **self.tag} for f in files.values()], None)
        store._insert("problems", [{"path": p, "problems": json.dumps(items, ensure_ascii=False), **self.tag}
                                   for p, items in rest.problems.items() if items], None)
        new_rev = self.rev + 1
        flipped = store.db.meta.update_one(
            {"_id": META_ID, "gen": self.gen, "lock.owner": store.writer_id},
            {"$set": {"gen": self.new, "revision": new_rev, "dirty": False}, "$unset": {"lock": ""},
             "$push": {"history": {"$each": [[self.new, time.time()]], "$slice": -64}}})
        if flipped.matched_count != 1:
            raise StoreBusy("the store lease was taken over before this sync committed")
        self.done = True
        if store.attachments_root is not None:
            store._drop_attachments(rest)
        store._gc()
        return new_rev

    def abort(self) -> None:
        """Roll the unflipped generation back and give the lease up."""
        if self.done:
            return
        self.done = True
        try:
            self.store._rollback(self.gen, None)
            self.store.db.meta.update_one({"_id": META_ID, "lock.owner": self.store.writer_id},
                                          {"$set": {"dirty": False}, "$unset": {"lock": ""}})
        except Exception:  # noqa: BLE001 - the server went away: the next writer rolls the debris back
            pass
