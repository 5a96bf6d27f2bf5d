"""The reading stage of a sync: which files to read (stat, hash, git history), and reading them on both cores."""
from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from .build import read_and_build
from .derive import Options
from .discover import Found, discover, ignored, is_entry, stat_one
from .gitinfo import FileHistory
from .models import Problem
from .store.base import Edge, FileState

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


def _stale(st: FileState | None, f: Found, git_mark: str) -> bool:
    """Must this file be read? (Named paths are read anyway: coarse mtimes can hide a same-size save.)"""
    if st is None or not st.hash or st.mtime_ns != f.mtime_ns or st.size != f.size:
        return True
    return not st.hash.endswith(git_mark) if git_mark else "@" in st.hash


def git_mark(h: FileHistory) -> str:
    return "@" + hashlib.blake2b(f"{h.created}|{h.updated}|{h.authors}".encode(), digest_size=6).hexdigest()


def make_plan(root: Path, states: dict[str, FileState], full: bool, paths: Iterable[str] | None,
          git: dict[str, str]) -> Plan:
    if paths is None:
        disc = discover(root)
        md, atts, walk_problems = disc.entries, disc.attachments, disc.problems
    else:  # trust the store for everything not named, stat what is named
        md = {p: Found(str(root / p), s.mtime_ns, s.size) for p, s in states.items() if is_entry(p)}
        atts = {p: Found(str(root / p), s.mtime_ns, s.size) for p, s in states.items() if not is_entry(p)}
        walk_problems = []
        for rel in {p.strip("/") for p in paths}:
            if not rel or ignored(rel):
                continue
            for table in (md, atts):
                for p in [p for p in table if p == rel or p.startswith(rel + "/")]:
                    del table[p]
            if (root / rel).is_dir():
                sub = discover(root / rel)
                md.update({f"{rel}/{p}": f for p, f in sub.entries.items()})
                atts.update({f"{rel}/{p}": f for p, f in sub.attachments.items()})
            elif (f := stat_one(root, rel)) is not None:
                (md if is_entry(rel) else atts)[rel] = f
    named = set() if paths is None else {p.strip("/") for p in paths}
    read = [p for p, f in md.items() if full or p in named or _stale(states.get(p), f, git.get(p, ""))]
    gone = [p for p in states if p not in md and p not in atts]
    new_atts = [FileState(p, None, f.mtime_ns, f.size, "") for p, f in atts.items()
                if full or p not in states or (states[p].mtime_ns, states[p].size) != (f.mtime_ns, f.size)]
    return Plan(md, set(atts), sorted(read), gone, new_atts, walk_problems)


def _read_batch(jobs: list[tuple[str, str, int, Options]]) -> list[tuple[str, str, Any, list[Edge], list[Problem]]]:
    """Read and build a slice of files in one worker (one pickled result list per slice, not per file).

    Edges go back as plain tuples (same order as Edge): pickling a NamedTuple per object costs ~3x."""
    out = []
    for job in jobs:
        path, digest, rec, edges, probs = read_and_build(job)
        out.append((path, digest, rec, [tuple(e) for e in edges], probs))
    return out  # type: ignore[return-value]


def read_all(plan: Plan, max_bytes: int, options: Options, progress: Progress | None,
              workers: int | None) -> list[tuple[str, str, Any, list[Edge], list[Problem]]]:
    jobs = [(p, plan.md[p].abs, max_bytes, options) for p in plan.read]
    total = len(jobs)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    out: list[tuple[str, str, Any, list[Edge], list[Problem]]] = []
    if total >= PARALLEL_MIN and workers > 1:
        # The parent takes a share itself: with 2 cores, 1 worker + the parent beats 2 workers + an idle
        # parent that must unpickle everything. Workers get slices; the parent works through its own.
        mine = total // workers
        rest = jobs[mine:]
        size = max(64, len(rest) // (4 * (workers - 1)) + 1)
        slices = [rest[i:i + size] for i in range(0, len(rest), size)]
        with ProcessPoolExecutor(workers - 1, mp_context=get_context("fork"), initializer=gc.disable) as pool:
            futures = [pool.submit(_read_batch, sl) for sl in slices]
            for i, job in enumerate(jobs[:mine], 1):
                out.append(read_and_build(job))
                if progress and i % 100 == 0:
                    progress(i, total)
            for fut in futures:
                out += fut.result()
                if progress:
                    progress(len(out), total)
    else:
        for i, job in enumerate(jobs, 1):
            out.append(read_and_build(job))
            if progress and (i % 100 == 0 or i == total):
                progress(i, total)
    return out
