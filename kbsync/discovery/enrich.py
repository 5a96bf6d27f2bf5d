"""Discovery over a store: keywords filled in a second commit after the sync, and every corpus-wide output
(topics, related, duplicates, unlinked mentions) held in indexes that one edit updates in place."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store.base import Batch, Store
from ..visibility import PUBLIC
from . import topics as T
from .common import Rec, visible
from .duplicates import DuplicateIndex, DupOptions
from .keywords import KeywordCache, KeywordOptions, KeywordStats, compute
from .matrix import Counts
from .parallel import in_child
from .profile import Profiles
from .related import RelatedIndex, RelatedOptions
from .unlinked import UnlinkedIndex

CHILD_MIN = 2000  # entries from which unlinked mentions are scanned in a forked child (below, forking costs more)


def default_cache_path(store: Store, content_dir: str | Path | None = None) -> Path | str:
    """Beside a SQLite store's file (`.kb/discovery.sqlite`), else beside the content; `:memory:` for tests."""
    path = getattr(store, "path", None)
    if path == ":memory:":
        return ":memory:"
    if path:
        return Path(path).with_name("discovery.sqlite")
    return Path(content_dir or ".").resolve().parent / ".kb" / "discovery.sqlite"


def fill_keywords(store: Store, cache: KeywordCache, opts: KeywordOptions | None = None,
                  workers: int | None = None, *, slugs: Iterable[str] | None = None,
                  lock: AbstractContextManager[Any] | None = None, mp_context: Any = None,
                  on_commit: Callable[[int, int], None] | None = None) -> tuple[KeywordStats, int]:
    """Keywords for the stored entries (`slugs`, else all), written in one small commit of those that changed.

    Run after the sync's own commit: entries are searchable before this starts. The keywords are computed outside
    `lock`; the commit happens under it and skips any entry a sync rewrote meanwhile (its hash moved), so a fill
    never puts back an older record; `on_commit(before, after)` runs under it after a commit. Returns (stats, revision)."""
    recs = _read(store, slugs)
    kws, stats = compute(recs, cache, opts or KeywordOptions(), workers, mp_context=mp_context)
    hashes = {r["slug"]: r.get("hash") for r in recs}
    with lock or nullcontext():
        now = _read(store, slugs) if lock is not None else recs
        changed = [dict(r, keywords=kws[r["slug"]]) for r in now
                   if r["slug"] in kws and r.get("hash") == hashes[r["slug"]] and r.get("keywords") != kws[r["slug"]]]
        before = store.revision()
        rev = store.apply(Batch(upserts=changed)) if changed else before
        if changed and on_commit is not None:
            on_commit(before, rev)
    stats.committed = len(changed)
    return stats, rev


def _read(store: Store, slugs: Iterable[str] | None) -> list[Rec]:
    if slugs is None:
        return list(store.records())
    return [r for r in (store.get(s) for s in sorted(set(slugs))) if r is not None]


@dataclass
class Discovery:
    """All corpus-wide discovery outputs for one viewer; `update` re-queries only what an edit touched."""

    content_dir: Path
    viewer: str = PUBLIC
    dup_opts: DupOptions = field(default_factory=DupOptions)
    rel_opts: RelatedOptions = field(default_factory=RelatedOptions)
    topic_opts: T.TopicOptions = field(default_factory=T.TopicOptions)

    def build(self, records: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None,
              with_topics: bool = True, profiles: Profiles | None = None, workers: int | None = None) -> Discovery:
        """Per-entry features first (over the cores, reused from `profiles` when unchanged), then the corpus passes."""
        recs = visible(records, self.viewer)
        self.keywords = dict(keywords or {r["slug"]: list(r.get("keywords") or []) for r in recs})
        self.profiles = profiles or Profiles()
        t0 = time.perf_counter()
        prof = self.profiles.get(recs, self.content_dir, self.keywords, workers)
        t1 = time.perf_counter()
        # Unlinked mentions scan every text (a C pass over 500 MB at 100,000 entries): a forked child does it
        # while this process runs the other passes on the other core.
        self.unlinked = UnlinkedIndex(self.content_dir, self.viewer).build(recs, {s: p.plain for s, p in prof.items()},
                                                                          scan=False)
        scanning = (in_child(self.unlinked.scan_all) if (workers or os.cpu_count() or 1) > 1 and len(recs) >= CHILD_MIN
                    else None)
        t2 = time.perf_counter()
        self.duplicates = DuplicateIndex(self.dup_opts, self.viewer).build(recs, {s: p.signature for s, p in prof.items()})
        t3 = time.perf_counter()
        counts, langs = {s: p.counts for s, p in prof.items()}, {s: p.lang for s, p in prof.items()}
        # One stem-count matrix for related entries and topics (15 million pairs at 100,000 entries).
        matrix = Counts([counts[r["slug"]] for r in recs])
        self.related = RelatedIndex(self.rel_opts, self.viewer).build(recs, self.keywords, counts, langs, matrix)
        t4 = time.perf_counter()
        self.topics, self.topics_of = (T.find(recs, self.keywords, self.viewer, self.topic_opts, counts, langs, matrix)
                                       if with_topics else ([], {}))
        t5 = time.perf_counter()
        self.unlinked.adopt(self.unlinked.scan_all() if scanning is None else scanning.result())
        self.unlinked._auto()  # (an update needs it: built here, not on the first edit)
        self.timings = {"profiles": t1 - t0, "duplicates": t3 - t2, "related": t4 - t3, "topics": t5 - t4,
                        "unlinked": t2 - t1 + time.perf_counter() - t5}
        return self

    def update(self, changed: Iterable[Rec] = (), deleted: Iterable[str] = (),
               keywords: Mapping[str, list[str]] | None = None) -> None:
        """One edit (changed, added, hidden or deleted entries): duplicates, related and unlinked mentions become
        what a fresh `build` gives, re-querying only what the edit can move; the changed entries' features are
        computed once, here. Topics are left for the next full build (a corpus-level summary)."""
        changed, deleted = list(changed), list(deleted)
        self.keywords.update(keywords or {})
        for slug in deleted:
            self.keywords.pop(slug, None)
        shown = visible(changed, self.viewer)
        prof = self.profiles.get(shown, self.content_dir, workers=1)
        counts, langs = {s: p.counts for s, p in prof.items()}, {s: p.lang for s, p in prof.items()}
        self.duplicates.update(changed, deleted, {s: p.signature for s, p in prof.items()})
        self.related.update(changed, self.keywords, deleted, counts, langs)
        self.unlinked.update(changed, deleted, {s: p.plain for s, p in prof.items()})

    def fields(self) -> dict[str, dict[str, Any]]:
        """slug -> the entry JSON's discovery fields (`keywords`, `topics`, `related`, `duplicates`, `unlinked`)."""
        dups, rel, unl = self.duplicates.result(), self.related.result(), self.unlinked.result()
        return {s: {"keywords": self.keywords.get(s, []), "topics": self.topics_of.get(s, []),
                    "related": rel.get(s, []), "duplicates": dups.get(s, []), "unlinked": unl.get(s, [])}
                for s in self.related.slugs}
