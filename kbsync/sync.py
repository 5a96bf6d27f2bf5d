"""Sync: bring the store in line with the files, incrementally and atomically.

Per-file work (parse, derive) runs only for files whose stat or hash changed,
on both cores when there is a lot of it. Corpus-wide work (resolution,
chapters) re-resolves only edges whose lookup key a changed name touches.
Everything lands in one store batch: all of it or none of it. A full or first
sync of the whole folder streams instead (kbsync.streamsync): its rows go to a
staging generation in chunks, and one commit swaps that in, just as atomically.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .derive import Options
from .discover import DEFAULT_MAX_BYTES
from .gcpause import gc_paused
from .gitinfo import FileHistory, HistoryCache
from .models import Problem
from .namedplan import Tables, named_plan
from .reading import Progress, git_mark, make_plan, read_all
from .resolve import Resolver
from .schema import Schemas, load_schemas
from .store.base import Batch, Edge, FileState, Store, Stream
from .syncresolve import _chapter_edges, _resolve_edge, name_row, resolve_batch

__all__ = ["SyncReport", "Syncer", "_chapter_edges", "_resolve_edge", "finish_record", "load_schemas_safe",
           "name_row", "sync_content"]


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    errors: int = 0
    seconds: float = 0.0
    revision: int = 0
    changed: list[str] = field(default_factory=list)  # slugs added, updated or deleted
    problems: list[Problem] = field(default_factory=list)  # file-level problems found by this sync

    def as_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "deleted": self.deleted,
                "unchanged": self.unchanged, "errors": self.errors, "seconds": round(self.seconds, 3),
                "revision": self.revision}


def sync_content(content_dir: Path | str, store: Store, *, full: bool = False, paths: Iterable[str] | None = None,
                 options: Options | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 progress: Progress | None = None, workers: int | None = None) -> SyncReport:
    """Sync `content_dir` into `store` once. `paths` limits the check to those content-relative paths."""
    return Syncer(content_dir, store, options=options, max_bytes=max_bytes, workers=workers).sync(
        full=full, paths=paths, progress=progress)


@dataclass
class _Known:
    """What the store holds, kept in memory between syncs of a long-running process (watcher, server)."""

    revision: int
    states: dict[str, FileState]
    names: dict[str, dict[str, Any]]  # path -> name row
    problems: dict[str, list[Any]]
    resolver: Resolver | None = None
    entry_errors: dict[str, str] | None = None  # slug -> path of entries with an error; loaded when first asked
    tables: Tables | None = None  # for syncs of named paths (the watcher's); made by the first one


class Syncer:
    """Syncs one content folder into one store; reuses what it knows while nobody else writes the store."""

    def __init__(self, content_dir: Path | str, store: Store, *, options: Options | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None) -> None:
        self.root = Path(content_dir)
        self.store = store
        self.options = options or Options()
        self.max_bytes = max_bytes
        self.workers = workers
        self.history = HistoryCache(self.root)  # git dates; re-read only when HEAD moves
        self._known: _Known | None = None
        self._rows: dict[str, dict[str, Any]] = {}  # name rows built during the last sync, reused after it
        self._history: dict[str, FileHistory] | None = None
        self._marks: dict[str, str] = {}  # git marks of self._history: one object while HEAD stays

    def _load(self) -> _Known:
        rev = self.store.revision()
        if self._known is None or self._known.revision != rev:  # somebody else wrote: reload
            self._known = _Known(rev, self.store.file_states(), {r["path"]: r for r in self.store.names()},
                                 self.store.problems())
        return self._known

    def sync(self, *, full: bool = False, paths: Iterable[str] | None = None,
             progress: Progress | None = None) -> SyncReport:
        t0 = time.perf_counter()
        # A sync allocates millions of acyclic objects while holding the whole corpus: the cyclic GC would
        # rescan that heap again and again (a third of a cold sync's time) and find nothing to free.
        try:
            with gc_paused():
                known = self._load()
                stream = self._stream(known, full, paths)
                if stream is not None:
                    report = self._stream_sync(stream, progress)
                    report.errors = self._errors()
                    # What it keeps (names, resolver, file states: millions of objects) is long-lived: file it
                    # with the oldest generation, or the first young collection after the pause scans it all.
                    gc.freeze()
                    gc.unfreeze()
                    report.seconds = time.perf_counter() - t0
                    return report
                report, batch = self._sync(known, full, paths, progress)
                report.revision = self.store.apply(batch) if not batch.empty() else known.revision
                self._remember(known, batch, report.revision)  # before gc returns: it would rescan the heap
                report.errors = self._errors()
        except BaseException:
            self._known = None  # unknown state after a failure: reload next time
            raise
        report.seconds = time.perf_counter() - t0
        return report

    def _stream(self, known: _Known, full: bool, paths: Iterable[str] | None) -> Stream | None:
        """A staging generation for a full or first sync of the whole folder, when the store offers one."""
        start = getattr(self.store, "stream", None)
        if paths is not None or start is None or not (full or (not known.states and not known.names)):
            return None
        return start()  # type: ignore[no-any-return]

    def _stream_sync(self, stream: Stream, progress: Progress | None) -> SyncReport:
        from .streamsync import stream_sync

        try:
            report, self._known = stream_sync(self, stream, progress)
        except BaseException:
            stream.abort()
            raise
        return report

    def _errors(self) -> int:
        """Files with an error in the store after this sync, whether or not this sync read them."""
        known = self._load()
        if known.entry_errors is None:  # once per process: the records are not in memory
            known.entry_errors = {r["slug"]: r["path"] for r in self.store.records() if _has_error(r.get("problems"))}
        paths = {p for p, probs in known.problems.items() if _has_error(probs)}
        return len(paths | set(known.entry_errors.values()))

    def _remember(self, known: _Known, batch: Batch, revision: int) -> None:
        if batch.replace_all:
            self._known = None
            return
        for path in batch.forget_files:
            known.states.pop(path, None)
        known.states.update({f.path: f for f in batch.files})
        # slug -> path only when a slug may have moved: building it costs more than a one-file sync's own work
        renamed = batch.deletes or any(rec["path"] not in known.names for rec in batch.upserts)
        path_of = (known.tables.owner if known.tables is not None else {} if not renamed
                   else {r["slug"]: p for p, r in known.names.items()})  # the tables' is updated below
        for slug in batch.deletes:
            known.names.pop(path_of.pop(slug, ""), None)
        for rec in batch.upserts:
            old = path_of.get(rec["slug"])
            if old is not None and old != rec["path"]:  # same slug, new path (a case-only rename)
                known.names.pop(old, None)
            known.names[rec["path"]] = self._rows.get(rec["path"]) or name_row(rec)
        if known.tables is not None:
            known.tables.remember(batch)
        self._rows = {}
        if known.entry_errors is not None:
            for slug in batch.deletes:
                known.entry_errors.pop(slug, None)
            for rec in batch.upserts:
                if _has_error(rec.get("problems")):
                    known.entry_errors[rec["slug"]] = rec["path"]
                else:
                    known.entry_errors.pop(rec["slug"], None)
        for path, probs in batch.problems.items():
            if probs:
                known.problems[path] = probs
            else:
                known.problems.pop(path, None)
        known.revision = revision

    def _sync(self, known: _Known, full: bool, paths: Iterable[str] | None,
              progress: Progress | None) -> tuple[SyncReport, Batch]:
        root, options = self.root, self.options
        states = {} if full else known.states
        history = self.history.get()
        if history is not self._history and (history or self._history):  # one object while HEAD stays
            self._history, self._marks = history, {p: git_mark(h) for p, h in history.items()}
        git = self._marks
        tables = None
        if paths is None or full:  # a walk moves states the tables do not follow: made again by the next named sync
            known.tables = None
        else:
            if known.tables is None:
                known.tables = Tables.from_states(root, known.states, known.names)
            tables = known.tables
        plan = named_plan(root, states, paths, git, tables) if tables is not None and paths is not None else \
            make_plan(root, states, full, paths, git)
        report = SyncReport(unchanged=0)
        results = read_all(plan, self.max_bytes, options, progress, self.workers)
        schemas = load_schemas_safe(root)
        batch = Batch(replace_all=full)
        old_names = {} if full else known.names
        old_problems = {} if full else known.problems

        records: dict[str, dict[str, Any]] = {}
        raw_edges: dict[str, list[Edge]] = {}
        file_problems: dict[str, list[Problem]] = {p.get("path", ""): [] for p in plan.walk_problems}
        for p in plan.walk_problems:
            file_problems[p["path"]].append(p)
        for path, digest, rec, edges, probs in results:
            st = states.get(path)
            found = plan.md[path]
            if rec is None:
                file_problems[path] = probs
                batch.files.append(FileState(path, None, found.mtime_ns, found.size, ""))
                continue
            # The file state's hash covers the content and the file's git history (dates, authors).
            digest = f"{digest}{git.get(path, '')}"
            if not full and st and st.slug and st.hash == digest and path in old_names:
                if (st.mtime_ns, st.size) != (found.mtime_ns, found.size):  # touched, not changed
                    batch.files.append(FileState(path, st.slug, found.mtime_ns, found.size, digest))
                continue
            finish_record(rec, path, schemas, history)
            records[path] = rec
            raw_edges[path] = edges
            batch.files.append(FileState(path, rec["slug"], found.mtime_ns, found.size, digest))
        del results  # records and raw_edges hold what is still needed; raw edges go as they are resolved

        # Slugs: sorted by path, the first file to claim a slug wins. A named sync looks only at the slugs
        # its files held or claim (the others keep their holder).
        owner: dict[str, str] = {}
        held: set[str] = set()
        for path in sorted(plan.md) if tables is None else _claimants(tables, plan, records, old_names, held):
            slug = records[path]["slug"] if path in records else (states[path].slug if path in states else None)
            if slug is None or path in file_problems:
                continue
            if slug in owner:
                file_problems[path] = [Problem(path=path, line=0, level="error", code="duplicate_slug",
                                               message=f"slug {slug!r} is already taken by {owner[slug]}; rename one "
                                                       "of the two files; this one is not indexed")]
                records.pop(path, None)
                batch.files = [f for f in batch.files if f.path != path]
                batch.files.append(FileState(path, None, plan.md[path].mtime_ns, plan.md[path].size, ""))
            else:
                owner[slug] = path
        winners = set(owner.values()) if tables is None else (old_names.keys() - held) | set(owner.values())

        gone_slugs = {old_names[p]["slug"] for p in old_names.keys() - winners}
        batch.deletes = sorted(gone_slugs - {r["slug"] for r in records.values()})
        batch.forget_files = sorted(plan.gone)
        batch.files += plan.new_attachments
        report.deleted = len(batch.deletes)
        report.added = sum(1 for p in records if p not in old_names)
        report.updated = len(records) - report.added
        report.unchanged = len(winners) - len(records)

        for path, probs in file_problems.items():
            if probs != old_problems.get(path, []):
                batch.problems[path] = probs  # type: ignore[assignment]  # Problem is a Record
        # A sync limited to named paths only looked at those (and the files it re-read): problems found earlier
        # elsewhere, e.g. a symlink out of the folder seen by the last full walk, still stand.
        named = None if paths is None else tuple({p.strip("/") for p in paths})
        looked = set(plan.read) | set(plan.gone)
        for path in old_problems:
            if path in file_problems or path in batch.problems:
                continue
            if named is None or path in looked or any(path == n or path.startswith(n + "/") for n in named if n):
                batch.problems[path] = []
        report.problems = [p for probs in file_problems.values() for p in probs]

        if records or batch.deletes or plan.gone or plan.new_attachments or full:
            self._rows = resolve_batch(self.store, batch, records, raw_edges, old_names, plan, winners, known, full)
        for rec in records.values():
            batch.upserts.append(rec)
        report.changed = sorted({r["slug"] for r in records.values()} | set(batch.deletes))
        return report, batch


def _claimants(t: Tables, plan: Any, records: dict[str, dict[str, Any]], old_names: dict[str, dict[str, Any]], held: set[str]) -> list[str]:
    """The paths that may hold a slug a named sync touched, sorted: the read files and each touched slug's
    holder. Fills `held` with those holders (their hold is decided again)."""
    slugs = {r["slug"] for r in records.values()}
    slugs.update(old_names[p]["slug"] for p in (*plan.read, *plan.gone) if p in old_names)
    held.update(p for s in slugs if (p := t.owner.get(s)) is not None)
    return sorted(p for p in {*records, *held} if p in plan.md)


def load_schemas_safe(root: Path) -> Schemas:
    try:
        return load_schemas(root)
    except Exception:  # noqa: BLE001 - a malformed types file must not stop the sync; `kb check` names it
        return Schemas()


def finish_record(rec: dict[str, Any], path: str, schemas: Schemas, history: dict[str, FileHistory]) -> None:
    """Check the record against its type schema and add its git dates (both need the whole folder's view)."""
    try:
        schemas.validate(rec)
    except Exception as e:  # noqa: BLE001 - one entry's odd value must not stop the sync
        rec["problems"].append(Problem(path=path, line=1, level="error", code="schema",
                                       message=f"cannot check the type schema: {type(e).__name__}: {e}"))
    hist = history.get(path)
    rec.update(hist.as_record_fields() if hist else {"created": None, "updated": None, "authors": []})


def _has_error(problems: Any) -> bool:
    return any(isinstance(q, dict) and q.get("level") == "error" for q in problems or ())
