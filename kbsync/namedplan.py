"""The plan of a sync told which paths changed (the watcher's): its cost follows the named paths, not the folder.

A long-running Syncer keeps the store's file states as stat tables between syncs (`Tables`); a named sync
updates them in place for what it stats, so at 100,000 files it no longer rebuilds both tables, scans every
path per named one and checks every file's state (~1 s a sync). The rules are a walk's, applied to fewer files:
`tests/kbsync/test_sync_named.py` checks it stays equal to a full sync under random edits.
"""
from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .discover import Found, discover, ignored, is_entry, stat_one
from .models import Problem
from .reading import Plan, unnamable
from .store.base import Batch, FileState


@dataclass
class Tables:
    """The files the store knows, as stats by kind, plus what a named sync needs to avoid a pass over them all."""

    md: dict[str, Found]  # entry files
    atts: dict[str, Found]  # attachments
    keys: list[str]  # md and atts paths, sorted: a named folder's old files by bisection
    hashless: set[str]  # entries whose state has no hash (unreadable, a lost slug): a walk reads them every time
    owner: dict[str, str]  # slug -> the path that holds it in the store
    marks: dict[str, str] | None = None  # the git marks every file was last checked against

    @classmethod
    def from_states(cls, root: Path, states: dict[str, FileState], names: dict[str, dict[str, Any]]) -> Tables:
        base = f"{root}/"  # not root / p: Path joins cost more than the rest of this per-file line
        md: dict[str, Found] = {}
        atts: dict[str, Found] = {}
        for p, s in states.items():
            (md if is_entry(p) else atts)[p] = Found(base + p, s.mtime_ns, s.size)
        return cls(md, atts, sorted(states), {p for p in md if not states[p].hash},
                   {r["slug"]: p for p, r in names.items()})

    def remember(self, batch: Batch) -> None:
        """After the batch is in the store (the stat tables were brought up to date by the plan)."""
        for f in batch.files:
            if f.hash or f.path not in self.md:
                self.hashless.discard(f.path)
            else:
                self.hashless.add(f.path)
        self.hashless.difference_update(batch.forget_files)
        for slug in batch.deletes:
            self.owner.pop(slug, None)
        for rec in batch.upserts:
            self.owner[rec["slug"]] = rec["path"]

    def _drop(self, rel: str) -> list[str]:
        """Forget `rel` and everything under it; returns what was there."""
        i, j = bisect_left(self.keys, rel + "/"), bisect_left(self.keys, rel + "0")  # "0" follows "/"
        old = self.keys[i:j]
        del self.keys[i:j]
        k = bisect_left(self.keys, rel)
        if k < len(self.keys) and self.keys[k] == rel:
            del self.keys[k]
            old.append(rel)
        for p in old:
            self.md.pop(p, None)
            self.atts.pop(p, None)
        return old

    def _add(self, md: dict[str, Found], atts: dict[str, Found]) -> None:
        for table, new in ((self.md, md), (self.atts, atts)):
            for p, f in new.items():
                if p not in table:
                    insort(self.keys, p)
                table[p] = f


def named_plan(root: Path, states: dict[str, FileState], paths: Iterable[str], git: dict[str, str],
               t: Tables) -> Plan:
    """What `reading.make_plan` plans for these paths, from tables kept between syncs (and updated here)."""
    named = {p.strip("/") for p in paths}
    walk_problems: list[Problem] = []
    removed: set[str] = set()
    touched: set[str] = set()
    for rel in sorted(named):
        if not rel or ignored(rel):
            continue
        removed.update(t._drop(rel))
        md: dict[str, Found] = {}
        atts: dict[str, Found] = {}
        if (root / rel).is_dir():
            sub = discover(root / rel, boundary=root)  # the boundary is the content root, not the folder
            walk_problems += [{**q, "path": rel if q["path"] == "." else f"{rel}/{q['path']}"} for q in sub.problems]
            md = {f"{rel}/{p}": f for p, f in sub.entries.items()}
            atts = {f"{rel}/{p}": f for p, f in sub.attachments.items()}
        elif (f := stat_one(root, rel, walk_problems)) is not None:
            (md if is_entry(rel) else atts)[rel] = f
        walk_problems += unnamable(md, atts)
        t._add(md, atts)
        touched.update(md, atts)
    if t.marks is not git:  # git history moved (or a first named sync): check every file, as a walk would
        candidates: Iterable[str] = t.md
        t.marks = git
    else:
        candidates = (touched | t.hashless) & t.md.keys()
    read = []
    for p in candidates:
        f, st = t.md[p], states.get(p)
        if st is None or st.mtime_ns != f.mtime_ns or st.size != f.size or not st.hash or p in named:
            read.append(p)
        elif (mark := git.get(p)) is not None:
            if not st.hash.endswith(mark):
                read.append(p)
        elif "@" in st.hash:  # was in git, is no longer
            read.append(p)
    gone = sorted(p for p in removed if p in states and p not in t.md and p not in t.atts)
    new_atts = [FileState(p, None, f.mtime_ns, f.size, "") for p, f in ((p, t.atts[p]) for p in sorted(touched & t.atts.keys()))
                if p not in states or (states[p].mtime_ns, states[p].size) != (f.mtime_ns, f.size)]
    return Plan(t.md, set(t.atts), sorted(read), gone, new_atts, walk_problems)
