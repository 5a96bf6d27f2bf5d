"""A cold or full sync that streams: records go to the store's staging generation as they are read.

Only what link resolution needs stays in memory until the end (each file's name row and raw edges);
whole records (most of a sync's memory) leave in chunks of `CHUNK` as the readers return them, and the
resolved edges follow in chunks too. One `commit` swaps the staged generation in: readers see the old
store or the new one, and a failure or a kill anywhere before it leaves the old one as it was.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Problem
from .reading import git_mark, make_plan
from .resolve import Resolver
from .store.base import NAME_KEYS, Batch, FileState, Stream
from .streamedges import stage_edges
from .streamread import stream_read

if TYPE_CHECKING:
    from .reading import Progress
    from .sync import Syncer, SyncReport, _Known

CHUNK = 2000  # records or edge lists per staged write: big enough for executemany, small next to the corpus


def stream_sync(syncer: Syncer, stream: Stream, progress: Progress | None,
                chunk: int | None = None) -> tuple[SyncReport, _Known]:
    """Read every file into `stream` and commit it; returns the report and what the store now holds."""
    chunk = chunk or CHUNK
    from .sync import SyncReport, _Known, load_schemas_safe

    history = syncer.history.get()
    git = {p: git_mark(h) for p, h in history.items()}
    plan = make_plan(syncer.root, {}, True, None, git)
    schemas = load_schemas_safe(syncer.root)
    files: dict[str, FileState] = {}
    file_problems: dict[str, list[Problem]] = {p.get("path", ""): [] for p in plan.walk_problems}
    for p in plan.walk_problems:
        file_problems[p["path"]].append(p)
    names: dict[str, dict[str, Any]] = {}  # path -> name row, of every record read
    raw: dict[str, tuple[list[Any], list[Any]]] = {}  # path -> (raw edge rows, resolution keys), until resolved
    erred: set[str] = set()  # paths of records with an error-level problem
    best: dict[str, str] = {}  # slug -> the first path (in sorted order) seen claiming it: the one staged
    # Built as the names arrive: this work then shares the cores with the readers instead of waiting for them.
    resolver = Resolver((), plan.attachments)
    pending: list[Any] = []  # encoded records, staged by the chunk
    for part in stream_read(plan, syncer.max_bytes, syncer.options, schemas, history, stream.encode, progress,
                            syncer.workers):
        for path, digest, values, edges, probs, row, error in part:
            found = plan.md[path]
            if values is None:
                file_problems[path] = probs
                files[path] = FileState(path, None, found.mtime_ns, found.size, "")
                continue
            names[path] = name = dict(zip(NAME_KEYS, values, strict=True))
            slug = name["slug"]
            raw[path] = edges
            if error:
                erred.add(path)
            files[path] = FileState(path, slug, found.mtime_ns, found.size, f"{digest}{git.get(path, '')}")
            if path not in file_problems and (slug not in best or path < best[slug]):
                if slug in best:  # a twin with an earlier path: it replaces the staged record, as the walk below decides
                    resolver.remove(best[slug])
                best[slug] = path
                resolver.add(name)
                pending.append(row)
        del part  # before the next slice is read: records leave memory once staged
        if len(pending) >= chunk:
            stream.put_encoded(pending)
            pending = []
    stream.put_encoded(pending)
    del pending

    # Slugs: sorted by path, the first file to claim a slug wins (what `best` staged).
    owner: dict[str, str] = {}
    for path in sorted(names):
        slug = names[path]["slug"]
        if path in file_problems:
            continue
        if slug in owner:
            file_problems[path] = [Problem(path=path, line=0, level="error", code="duplicate_slug",
                                           message=f"slug {slug!r} is already taken by {owner[slug]}; rename one "
                                                   "of the two files; this one is not indexed")]
            files[path] = FileState(path, None, plan.md[path].mtime_ns, plan.md[path].size, "")
        else:
            owner[slug] = path
    assert owner == best, "staged records disagree with the slug owners"
    rows = {path: names[path] for path in owner.values()}
    del names

    stage_edges(stream, owner, rows, raw, resolver, plan, chunk)
    del raw

    problems = {path: probs for path, probs in file_problems.items() if probs}
    all_files = [*files.values(), *plan.new_attachments]
    rev = stream.commit(Batch(replace_all=True, files=all_files, problems=problems))  # type: ignore[arg-type]
    report = SyncReport(added=len(rows), revision=rev, changed=sorted(owner),
                        problems=[p for probs in file_problems.values() for p in probs])
    known = _Known(rev, {f.path: f for f in all_files}, rows, dict(problems), resolver,  # type: ignore[arg-type]
                   {rows[p]["slug"]: p for p in erred if p in rows})
    return report, known
