"""Discovery kept per viewer over a store: built once, updated when the store's revision moves (requests answer
from the last build meanwhile), saved beside the store for the next process; the read side's answers build on it
(`discovery.py`)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..discovery.enrich import Discovery
from ..discovery.featurecache import FeatureCache
from ..discovery.incremental import Kept, refresh
from ..discovery.profile import Profiles
from ..discovery.results import Results
from .contexts import CONTEXT_KINDS, backlink_contexts

log = logging.getLogger(__name__)
# How long an entry request waits for a viewer's first discovery build; after that, and whenever an older build is
# still safe to show, it answers at once while the build runs behind (a 10,000-entry build takes seconds).
FIRST_WAIT = 5.0
GUARD_WAIT = 0.5  # a title check waits this long for an update in place, then answers as it last did
EMPTY: dict[str, Any] = {"keywords": [], "topics": [], "related": [], "duplicates": [], "unlinked": []}


@dataclass(frozen=True)
class Snapshot:
    """One viewer's discovery as of store revision `rev`, never changed once published: what requests read while
    the next build runs behind. `pairs`: duplicate pairs, strongest first; `found`: None when read from disk."""

    rev: int
    fields: dict[str, dict[str, Any]]
    topics: list[dict[str, Any]]
    pairs: list[dict[str, Any]]
    found: Discovery | None = None


def _pairs(fields: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    pairs = [{"a": a, "b": x["slug"], "score": x["score"], "reason": x["reason"]}
             for a, f in fields.items() for x in f.get("duplicates") or [] if a < x["slug"]]
    return sorted(pairs, key=lambda p: (-p["score"], p["a"], p["b"]))


def _feature_cache(results: str | Path | None) -> FeatureCache | None:
    """Per-entry features kept beside the store (the same file as the results), so a process started after a sync
    or a site build profiles only entries no process has profiled yet; without it they are computed."""
    if results is None:
        return None
    try:
        return FeatureCache(results)
    except Exception as exc:  # a cache only
        log.info("discovery features not cached: %s: %s", results, exc)
        return None


class DiscoveryCore:
    """Discovery per viewer over one store. The last build is kept and brought to the store's revision by an
    update of the entries that moved (`incremental.refresh`); each result is published as a Snapshot for requests
    and saved to the results table beside the store, which a restarted process reads before its first build."""

    def __init__(self, content_dir: str | Path, results: str | Path | None = None) -> None:
        self.content_dir = Path(content_dir)
        self.results_path = results
        self._lock = threading.Lock()
        self._records_lock = threading.Lock()
        self._kept: dict[str, Kept] = {}
        self._snap: dict[str, Snapshot] = {}
        self._building: dict[str, threading.Lock] = {}  # viewer -> held while its discovery is built or updated
        self._guards: dict[str, threading.Lock] = {}  # viewer -> held while its indexes change in place
        self._similar: dict[tuple[str, str, int], list[dict[str, Any]]] = {}  # last title checks' answers
        self._contexts: tuple[int, dict[str, dict[tuple[str, str], str]]] | None = None
        self._records: tuple[int, list[dict[str, Any]]] | None = None
        self._items: tuple[int, dict[str, dict[str, Any]]] | None = None
        self._profiles = Profiles(_feature_cache(results))  # features at rest: shared with the site and kb check
        self._behind: dict[str, threading.Thread] = {}
        self._safe: dict[str, tuple[int, int, bool]] = {}  # viewer -> (built rev, store rev, still all visible)
        self._disk: Results | None = None
        self._disk_lock = threading.Lock()
        self._loaded: set[str] = set()  # viewers whose saved results were looked for

    def _load(self, store: Any, rev: int) -> list[dict[str, Any]]:
        """Full records (links attached: the graph needs them), read once per revision (seconds at 10,000
        entries: under a lock of its own, so a request answered from the last build never waits on it)."""
        with self._records_lock:
            if self._records is None or self._records[0] != rev:
                self._records = (rev, list(store.entries()))
            return self._records[1]

    def _per_viewer(self, table: dict[str, threading.Lock], viewer: str) -> threading.Lock:
        with self._lock:
            return table.setdefault(viewer, threading.Lock())

    # -- results at rest ---------------------------------------------------------------------------
    def _results(self) -> Results | None:
        if self._disk is None and self.results_path is not None:
            try:
                self._disk = Results(self.results_path)
            except Exception as exc:  # a read-only or foreign file: discovery still works, in memory
                log.warning("discovery results not kept: %s: %s", self.results_path, exc)
                self.results_path = None
        return self._disk

    def _saved(self, viewer: str) -> Snapshot | None:
        """The snapshot saved by this or an earlier process (looked for once per viewer)."""
        with self._disk_lock:
            if viewer in self._loaded:
                return None
            self._loaded.add(viewer)
            disk = self._results()
            try:
                got = disk.load(viewer) if disk is not None else None
            except Exception as exc:
                log.warning("discovery results unreadable: %s: %s", self.results_path, exc)
                return None
        if got is None:
            return None
        rev, fields, topics = got
        snap = Snapshot(rev, fields, topics, _pairs(fields))
        with self._lock:
            self._snap.setdefault(viewer, snap)
        return self._snap[viewer]

    def _save(self, viewer: str, snap: Snapshot) -> None:
        with self._disk_lock:
            disk = self._results()
            try:
                if disk is not None:
                    disk.save_fields(viewer, snap.rev, snap.fields, snap.topics)
            except Exception as exc:  # the next build tries again; requests are served from memory meanwhile
                log.warning("discovery results not saved: %s: %s", self.results_path, exc)

    # -- building ----------------------------------------------------------------------------------
    def _snapshot(self, store: Any, viewer: str) -> Snapshot:
        """`viewer`'s snapshot at the store's revision, built (or updated from the last build) if need be."""
        with self._per_viewer(self._building, viewer):
            rev = store.revision()
            snap = self._snap.get(viewer)
            if snap is not None and snap.rev == rev and snap.found is not None:
                return snap
            kept = refresh(self._kept.get(viewer), self._load(store, rev), self.content_dir, viewer, self._profiles,
                           workers=1, make=Discovery, guard=self._per_viewer(self._guards, viewer))
            self._kept[viewer] = kept
            fields = kept.fields()
            snap = Snapshot(rev, fields, list(kept.found.topics), _pairs(fields), kept.found)
            self._items_at(rev, self._load(store, rev))  # records read already: answers at `rev` need no `get`
            with self._lock:
                self._snap[viewer] = snap
            self._save(viewer, snap)
            return snap

    def discovery(self, store: Any, viewer: str) -> Discovery:
        """The Discovery of what `viewer` sees at the store's current revision (its indexes change in place on
        the next update: a reader of `duplicates` holds `guard(viewer)`)."""
        found = self._snapshot(store, viewer).found
        assert found is not None
        return found

    def guard(self, viewer: str) -> threading.Lock:
        return self._per_viewer(self._guards, viewer)

    def ready(self, store: Any, viewer: str) -> bool:
        """Can `viewer` be answered without waiting (a snapshot at the store's revision, its items read)?"""
        snap, items = self._snap.get(viewer), self._items
        rev = store.revision()
        return (snap is not None and snap.rev == rev and snap.found is not None
                and items is not None and items[0] == rev)

    def all_fields(self, store: Any, viewer: str) -> dict[str, dict[str, Any]]:
        """slug -> discovery fields for `viewer` at the store's revision."""
        return self._snapshot(store, viewer).fields

    def fields(self, store: Any, slug: str, viewer: str) -> dict[str, Any]:
        """One entry's discovery fields for `viewer` plus `contexts` ({(source, kind): sentence})."""
        out = dict(self.all_fields(store, viewer).get(slug) or EMPTY)
        out["contexts"] = self.contexts_of(store, slug)
        return out

    def build_behind(self, store: Any, viewer: str) -> threading.Thread:
        """Bring `viewer`'s discovery to the store's revision in a background thread (one at a time per viewer)."""
        with self._lock:
            t = self._behind.get(viewer)
            if t is None or not t.is_alive():
                t = self._behind[viewer] = threading.Thread(target=self._build_quietly, args=(store, viewer),
                                                            name=f"kb-discovery-{viewer}", daemon=True)
                t.start()
            return t

    def _build_quietly(self, store: Any, viewer: str) -> None:
        try:
            self._snapshot(store, viewer)
        except Exception:  # a store gone mid-build: the next request tries again
            log.exception("discovery build for %s failed", viewer)
            self._kept.pop(viewer, None)  # never update a half-updated build

    def now(self, store: Any, viewer: str, visible: Callable[[str], bool],
            wait: float = FIRST_WAIT) -> Snapshot | None:
        """`viewer`'s snapshot without blocking a request on a rebuild: the one at the store's revision, else the
        last one (in memory or saved) while a new one is made behind, if every entry it covers is still visible to
        `viewer` (an entry hidden since must not linger in a topic or a list), else what is made within `wait`,
        else None."""
        rev = store.revision()
        snap = self._snap.get(viewer) or self._saved(viewer)
        # A saved snapshot is checked like an old one even at the same revision number: the store it came from
        # may have been deleted and synced again since.
        if snap is not None and snap.rev == rev and snap.found is not None:
            return snap
        t = self.build_behind(store, viewer)
        if snap is not None and self._still_visible(viewer, snap, rev, visible):
            return snap
        t.join(wait)
        snap = self._snap.get(viewer)
        if snap is not None and ((snap.rev == rev and snap.found is not None)
                                 or self._still_visible(viewer, snap, rev, visible)):
            return snap
        return None

    def fields_now(self, store: Any, viewer: str, visible: Callable[[str], bool],
                   wait: float = FIRST_WAIT) -> dict[str, dict[str, Any]] | None:
        """slug -> discovery fields, by the rule of `now`."""
        snap = self.now(store, viewer, visible, wait)
        return snap.fields if snap is not None else None

    def _still_visible(self, viewer: str, snap: Snapshot, rev: int, visible: Callable[[str], bool]) -> bool:
        known = self._safe.get(viewer)
        if known is None or known[:2] != (snap.rev, rev):
            known = self._safe[viewer] = (snap.rev, rev, all(visible(s) for s in snap.fields))
        return known[2]

    def contexts_fresh(self, store: Any, rec: Mapping[str, Any]) -> dict[tuple[str, str], str]:
        """The entry's backlink sentences read from its sources as stored now (never from an older build)."""
        rev = store.revision()
        cached = self._contexts
        if cached is not None and cached[0] == rev:
            return cached[1].get(rec["slug"]) or {}
        out: dict[tuple[str, str], str] = {}
        for b in rec.get("backlinks") or []:
            src, kind = b.get("source"), b.get("kind")
            if not src or kind not in CONTEXT_KINDS or (src, kind) in out or src == rec["slug"]:
                continue
            source = store.get(src)
            if source is not None:
                out.update(backlink_contexts([source]).get(rec["slug"]) or {})
        return out

    def contexts_of(self, store: Any, slug: str) -> dict[tuple[str, str], str]:
        rev = store.revision()
        records = self._load(store, rev)
        with self._lock:
            if self._contexts is None or self._contexts[0] != rev:
                self._contexts = (rev, backlink_contexts(records))
            return self._contexts[1].get(slug) or {}

    def items_of(self, store: Any, slugs: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Items of `slugs` at the store's revision: from `items` once read, else one `get` each (an answer from
        the last build names a few entries; reading every record would make it wait as long as a build)."""
        cached = self._items
        if cached is not None and cached[0] == store.revision():
            return cached[1]
        out = {}
        for s in set(slugs):
            r = store.get(s)
            if r is not None:
                out[s] = {"slug": s, "title": str(r.get("title") or s), "url": r.get("url") or f"/{s}/",
                          "type": str(r.get("type") or "note")}
        return out

    def items(self, store: Any) -> dict[str, dict[str, Any]]:
        """slug -> `{slug, title, url, type}` at the store's revision (what every API hit carries)."""
        rev = store.revision()
        return self._items_at(rev, self._load(store, rev))

    def _items_at(self, rev: int, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        with self._lock:
            if self._items is None or self._items[0] != rev:
                self._items = (rev, {r["slug"]: {"slug": r["slug"], "title": str(r.get("title") or r["slug"]),
                                                 "url": r.get("url") or f"/{r['slug']}/",
                                                 "type": str(r.get("type") or "note")}
                                     for r in records})
            return self._items[1]
