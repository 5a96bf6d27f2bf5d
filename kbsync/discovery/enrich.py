"""Discovery over a store: keywords filled in a second commit after the sync, and every corpus-wide output
(topics, related, duplicates, unlinked mentions) held in indexes that one edit updates in place."""
from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..visibility import PUBLIC
from . import topics as T
from .common import Rec, visible
from .duplicates import DuplicateIndex, DupOptions
from .fill import default_cache_path, fill_keywords  # noqa: F401  (their home before fill.py)
from .matrix import Counts
from .parallel import in_child
from .profile import Profiles
from .related import RelatedIndex, RelatedOptions
from .unlinked import UnlinkedIndex

CHILD_MIN = 2000  # entries from which unlinked mentions are scanned in a forked child (below, forking costs more)


class _Clock:
    """Wall and this process's CPU seconds per named step (a step named twice adds up)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.t, self.c = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        t, c = time.perf_counter(), time.process_time()
        self.wall[name] = self.wall.get(name, 0.0) + t - self.t
        self.cpu[name] = self.cpu.get(name, 0.0) + c - self.c
        self.t, self.c = t, c


@dataclass
class Discovery:
    """All corpus-wide discovery outputs for one viewer; `update` re-queries only what an edit touched."""

    content_dir: Path
    viewer: str = PUBLIC
    dup_opts: DupOptions = field(default_factory=DupOptions)
    rel_opts: RelatedOptions = field(default_factory=RelatedOptions)
    topic_opts: T.TopicOptions = field(default_factory=T.TopicOptions)

    def build(self, records: Iterable[Rec], keywords: Mapping[str, list[str]] | None = None,
              with_topics: bool = True, profiles: Profiles | None = None, workers: int | None = None,
              spend: bool = False) -> Discovery:
        """Per-entry features first (over the cores, reused from `profiles` when unchanged), then the corpus passes.
        `spend`: the records are the caller's to spend: their texts are dropped once profiled (no pass after reads
        them; at 100,000 entries they are ~175 MB, held through every pass otherwise)."""
        recs = visible(records, self.viewer)
        self.keywords = dict(keywords or {r["slug"]: list(r.get("keywords") or []) for r in recs})
        self.profiles = profiles or Profiles()
        clock = _Clock()
        prof = self.profiles.get(recs, self.content_dir, self.keywords, workers)
        if spend:
            for r in recs:
                if isinstance(r, dict):
                    r.pop("text", None)
        clock.lap("profiles")
        # Unlinked mentions scan every text (a C pass over 500 MB at 100,000 entries): a forked child does it
        # while this process runs the other passes on the other core.
        self.unlinked = UnlinkedIndex(self.content_dir, self.viewer).build(recs, {s: p.plain for s, p in prof.items()},
                                                                          scan=False)
        self.unlinked._auto()  # built once, here: the child scanning the texts inherits it
        forks = (workers or os.cpu_count() or 1) > 1 and len(recs) >= CHILD_MIN
        scanning = in_child(self.unlinked.scan_all, "unlinked scan") if forks else None
        clock.lap("unlinked")
        self.duplicates = DuplicateIndex(self.dup_opts, self.viewer).build(recs, {s: p.signature for s, p in prof.items()})
        clock.lap("duplicates")
        counts, langs = {s: p.counts for s, p in prof.items()}, {s: p.lang for s, p in prof.items()}
        # One stem-count matrix for related entries and topics (15 million pairs at 100,000 entries).
        matrix = Counts([counts[r["slug"]] for r in recs])
        clock.lap("matrix")
        self.related = RelatedIndex(self.rel_opts, self.viewer).build(recs, self.keywords, counts, langs, matrix)
        clock.lap("related")
        self.topic_index = (T.Topics(self.topic_opts).build(recs, self.keywords, self.viewer, counts, langs, matrix)
                            if with_topics else T.Topics(self.topic_opts))
        self.topics, self.topics_of = self.topic_index.topics, self.topic_index.of
        clock.lap("topics")
        self.unlinked.adopt(self.unlinked.scan_all() if scanning is None else scanning.result())
        clock.lap("unlinked")
        self.timings, self.cpu = clock.wall, clock.cpu
        # Millions of long-lived (acyclic) objects: a full collection walking them landed in a later one-edit update
        # at 100,000 entries (~3 s of its 3.2 s, profiled); exempt them from the cyclic collector, as the query view does.
        gc.freeze()
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
