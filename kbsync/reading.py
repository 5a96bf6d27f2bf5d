"""The reading stage of a sync: which files to read (stat, hash, git history), and reading them on both cores."""
from __future__ import annotations

import gc
import hashlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .build import read_and_build
from .derive import Options
from .discover import Found, discover, ignored, is_entry, stat_one
from .gitinfo import FileHistory
from .models import Problem
from .store.base import Edge, FileState

if TYPE_CHECKING:
    from concurrent.futures import Future

PARALLEL_MIN = 400  # below this, process start-up costs more than it saves
Progress = Callable[[int, int], None]


@dataclass
class Plan:
    md: dict[str, Found]  # every entry file that exists now
    attachments: set[str]
    read: list[str]  # entry files to read
    gone: list[str]  # paths (entries or attachments) no longer present
    new_attachments: list[FileState]
    walk_problems: list[Problem]


def git_mark(h: FileHistory) -> str:
    return "@" + hashlib.blake2b(f"{h.created}|{h.updated}|{h.authors}".encode(), digest_size=6).hexdigest()


def make_plan(root: Path, states: dict[str, FileState], full: bool, paths: Iterable[str] | None,
          git: dict[str, str]) -> Plan:
    if paths is None:
        disc = discover(root)
        md, atts, walk_problems = disc.entries, disc.attachments, disc.problems
    else:  # trust the store for everything not named, stat what is named
        base = f"{root}/"  # not root / p: Path joins cost more than the rest of this per-file line
        md = {p: Found(base + p, s.mtime_ns, s.size) for p, s in states.items() if is_entry(p)}
        atts = {p: Found(base + p, s.mtime_ns, s.size) for p, s in states.items() if not is_entry(p)}
        walk_problems = []
        for rel in {p.strip("/") for p in paths}:
            if not rel or ignored(rel):
                continue
            for table in (md, atts):
                for p in [p for p in table if p == rel or p.startswith(rel + "/")]:
                    del table[p]
            if (root / rel).is_dir():
                sub = discover(root / rel, boundary=root)  # the boundary is the content root, not the folder
                walk_problems += [{**q, "path": rel if q["path"] == "." else f"{rel}/{q['path']}"} for q in sub.problems]
                md.update({f"{rel}/{p}": f for p, f in sub.entries.items()})
                atts.update({f"{rel}/{p}": f for p, f in sub.attachments.items()})
            elif (f := stat_one(root, rel, walk_problems)) is not None:
                (md if is_entry(rel) else atts)[rel] = f
    walk_problems = walk_problems + unnamable(md, atts)
    named = set() if paths is None else {p.strip("/") for p in paths}
    if full:
        read = list(md)
    else:  # inlined: runs for every file on every sync (a call per file was ~7 ms of a 10k no-op sync)
        read = []
        for p, f in md.items():
            st = states.get(p)
            if st is None or st.mtime_ns != f.mtime_ns or st.size != f.size or not st.hash or p in named:
                read.append(p)  # named paths always: a coarse mtime can hide a same-size save
            elif (mark := git.get(p)) is not None:
                if not st.hash.endswith(mark):
                    read.append(p)
            elif "@" in st.hash:  # was in git, is no longer
                read.append(p)
    gone = list(states.keys() - md.keys() - atts.keys())  # set operations: C speed on every sync
    new_atts = [FileState(p, None, f.mtime_ns, f.size, "") for p, f in atts.items()
                if full or p not in states or (states[p].mtime_ns, states[p].size) != (f.mtime_ns, f.size)]
    return Plan(md, set(atts), sorted(read), gone, new_atts, walk_problems)


def unnamable(*tables: dict[str, Found]) -> list[Problem]:
    """Drop files whose names are not UTF-8 (no store can hold them, and one would fail the whole sync)."""
    out = []
    for table in tables:
        for p in [p for p in table if not p.isascii() and not _utf8(p)]:
            del table[p]
            shown = p.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            out.append(Problem(path=shown, line=0, level="error", code="file_name",
                               message="the file name is not valid UTF-8; rename the file; skipped"))
    return out


def _utf8(p: str) -> bool:
    try:
        p.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _worker_init(parent: int) -> None:
    gc.disable()  # workers only allocate; see Syncer.sync

    def exit_with_parent() -> None:  # a parent killed mid-sync (SIGKILL, OOM) must not leave workers waiting forever
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=exit_with_parent, daemon=True).start()


def _read_batch(jobs: list[tuple[str, str, int, Options]]) -> list[tuple[str, str, Any, list[Edge], list[Problem]]]:
    """Read and build a slice of files in one worker (one pickled result list per slice, not per file).

    Edges go back as plain tuples (same order as Edge): pickling a NamedTuple per object costs ~3x."""
    out = []
    for job in jobs:
        path, digest, rec, edges, probs = read_and_build(job)
        out.append((path, digest, rec, [tuple(e) for e in edges], probs))
    return out  # type: ignore[return-value]


Result = tuple[str, str, Any, list[Edge], list[Problem]]  # path, hash, record or None, raw edges, file problems


def read_all(plan: Plan, max_bytes: int, options: Options, progress: Progress | None,
             workers: int | None) -> list[Result]:
    out: list[Result] = []
    for part in read_iter(plan, max_bytes, options, progress, workers):
        out += part
    return out


def read_iter(plan: Plan, max_bytes: int, options: Options, progress: Progress | None,
              workers: int | None) -> Iterator[list[Result]]:
    """Read the plan's files, yielding results in slices as they are ready (in no fixed order)."""
    jobs = [(p, plan.md[p].abs, max_bytes, options) for p in plan.read]
    total = len(jobs)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    done = 0
    if total >= PARALLEL_MIN and workers > 1:
        from concurrent.futures import ProcessPoolExecutor  # here: small and no-op syncs never need it
        from multiprocessing import get_context

        # The parent works too: with 2 cores, 1 worker + the parent beats 2 workers + an idle parent that
        # only unpickles. Both take small slices on demand (workers from the front, the parent from the
        # back), so they finish together however the per-file cost and the machine's load vary.
        size = max(32, min(128, total // (8 * workers)))
        slices = deque(jobs[i:i + size] for i in range(0, total, size))
        pending: deque[Future[list[Any]]] = deque()
        with ProcessPoolExecutor(workers - 1, mp_context=get_context("fork"), initializer=_worker_init,
                                 initargs=(os.getpid(),)) as pool:
            def top_up() -> None:  # keep every worker two slices ahead
                while slices and len(pending) < 2 * (workers - 1):
                    pending.append(pool.submit(_read_batch, slices.popleft()))

            top_up()
            while slices:
                part = [read_and_build(job) for job in slices.pop()]
                while pending and pending[0].done():
                    part += pending.popleft().result()
                top_up()
                done += len(part)
                yield part
                del part  # the consumer is done with it: not held while the next slice is read
                if progress:
                    progress(done, total)
            while pending:
                part = pending.popleft().result()
                done += len(part)
                yield part
                del part
                if progress:
                    progress(done, total)
    else:
        for i in range(0, total, 100):
            part = [read_and_build(job) for job in jobs[i:i + 100]]
            done += len(part)
            yield part
            del part
            if progress:
                progress(done, total)
