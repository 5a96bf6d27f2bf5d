"""Discovery on the read side: per-viewer related entries, duplicates, unlinked mentions and topics over a store,
kept per viewer and updated when the store's revision moves (requests answer from the last build meanwhile), saved
beside the store for the next process, plus backlink context sentences, for entry JSON, the API routes and the site."""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..derive.text import inline_plain
from ..discovery.enrich import Discovery, default_cache_path
from ..discovery.featurecache import FeatureCache
from ..discovery.incremental import Kept, refresh
from ..discovery.profile import Profiles
from ..discovery.results import Results
from ..export import entry_json
from ..visibility import can_see

CONTEXT_KINDS = frozenset({"link", "mention"})  # body links; relations sit in front matter, embeds show the target
CONTEXT_MAX = 240  # characters of a context sentence
_STOP = ".!?。！？"
# Markup the plain text keeps that a page never shows: inline footnotes, footnote references, block ids.
_MARKUP = re.compile(r"\^\[[^\[\]]*(?:\]|$)|\[\^[^\[\]\n]*\]|(?<![\w^])\^[A-Za-z0-9-]+")
log = logging.getLogger(__name__)
# How long an entry request waits for a viewer's first discovery build; after that, and whenever an older build is
# still safe to show, it answers at once while the build runs behind (a 10,000-entry build takes seconds).
FIRST_WAIT = 5.0
GUARD_WAIT = 0.5  # a title check waits this long for an update in place, then answers as it last did
EMPTY: dict[str, Any] = {"keywords": [], "topics": [], "related": [], "duplicates": [], "unlinked": []}


def _soft(text: str, i: int) -> bool:
    """Is the newline at `i` a wrapped line inside a sentence (after `,;:` or before a lowercase word)?"""
    before = text[:i].rstrip()[-1:]
    after = text[i + 1:i + 2]
    return before in (",", ";", ":", "-", "–") or (after.islower() and before not in _STOP)


def _ends(text: str, i: int) -> bool:
    return text[i] in _STOP or (text[i] == "\n" and not _soft(text, i))


def sentence_around(text: str, needle: str) -> str | None:
    """The sentence of `text` holding the first `needle` (a link's visible text), trimmed to CONTEXT_MAX."""
    if not needle.strip():
        return None
    at = text.find(needle)
    if at < 0:
        at = text.lower().find(needle.lower())
    if at < 0:
        return None
    lo = max(0, at - 4 * CONTEXT_MAX)  # a window bounds the scan: a sentence longer than it is trimmed anyway
    start = next((i + 1 for i in range(at - 1, lo - 1, -1) if _ends(text, i)), lo)
    hi = min(len(text), at + len(needle) + 4 * CONTEXT_MAX)
    end = next((i + 1 for i in range(at + len(needle), hi) if _ends(text, i)), hi)
    s = " ".join(_MARKUP.sub("", text[start:end]).split())
    needle = " ".join(_MARKUP.sub("", needle).split())
    if len(s) > CONTEXT_MAX:  # keep the link in view: a window around it
        i = s.find(needle) if needle in s else 0
        lo = max(0, min(i - CONTEXT_MAX // 3, len(s) - CONTEXT_MAX))
        s = ("…" if lo else "") + s[lo:lo + CONTEXT_MAX].strip() + ("…" if lo + CONTEXT_MAX < len(s) else "")
    return s or None


def backlink_contexts(records: Iterable[Mapping[str, Any]]) -> dict[str, dict[tuple[str, str], str]]:
    """target -> {(source, kind): the sentence around the source's first such link}, from the source's own text."""
    out: dict[str, dict[tuple[str, str], str]] = {}
    for r in records:
        text = r.get("text") or ""
        if "^" in text:  # footnotes and block ids out before sentences are cut (a footnote may hold a full stop)
            text = _MARKUP.sub("", text)
        for ln in r.get("links") or []:
            target, kind = ln.get("target"), ln.get("kind")
            if not target or kind not in CONTEXT_KINDS or target == r["slug"]:
                continue
            mine = out.setdefault(target, {})
            if (r["slug"], kind) not in mine:
                s = sentence_around(text, inline_plain(str(ln.get("raw") or "")).strip())
                if s:
                    mine[(r["slug"], kind)] = s
    return out


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


class DiscoveryView:
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

    def entry(self, model: Any, store: Any, slug: str, viewer: str) -> dict[str, Any] | None:
        """`GET /api/entries/{slug}`: the entry JSON with its discovery fields, None when `viewer` may not see it."""
        if model.visible(slug, viewer) is None:
            return None
        rec = store.get(slug)
        if rec is None:
            return None
        ok = (lambda s: model.visible(s, viewer) is not None)  # noqa: E731
        fields = dict((self.fields_now(store, viewer, ok) or {}).get(slug) or EMPTY)
        fields["contexts"] = self.contexts_fresh(store, rec)
        return entry_json(rec, viewer, ok, fields)

    def _state(self, store: Any, snap: Snapshot | None) -> dict[str, Any]:
        """How fresh an answer is: `revision` it was computed at, `stale` while a newer one is made behind,
        `building` when there is none yet (the lists are then empty)."""
        if snap is None:
            return {"building": True, "stale": True, "revision": None}
        return {"building": False, "stale": snap.rev != store.revision() or snap.found is None, "revision": snap.rev}

    def related_items(self, store: Any, slug: str, viewer: str, visible: Callable[[str], bool] | None = None,
                      wait: float = FIRST_WAIT) -> dict[str, Any] | None:
        """`{slug, related: [{slug, title, url, type, score}], revision, stale, building}` from the last build
        (never waiting on a rebuild past the first), None when `viewer` may not see `slug` now."""
        rec = store.get(slug)
        if rec is None or not can_see(rec, viewer):
            return None
        ok = visible or self._visible(store, viewer)
        snap = self.now(store, viewer, ok, wait)
        rows = [x for x in (snap.fields.get(slug) or EMPTY)["related"] if ok(x["slug"])] if snap is not None else []
        items = self.items_of(store, (x["slug"] for x in rows))
        return {"slug": slug, "related": [items[x["slug"]] | {"score": x["score"]} for x in rows
                                          if x["slug"] in items and ok(x["slug"])], **self._state(store, snap)}

    def duplicate_items(self, store: Any, viewer: str, title: str | None = None, limit: int = 20,
                        visible: Callable[[str], bool] | None = None, wait: float = FIRST_WAIT) -> dict[str, Any]:
        """`GET /api/duplicates`: `{pairs: [{a, b, score, reason}]}` (a, b: items) the viewer sees, or with `title`,
        `{title, hits: [{slug, title, url, type, score, reason}]}` (a form's warning while the owner types); both
        from the last build, with `revision`, `stale` and `building` (see `_state`)."""
        ok = visible or self._visible(store, viewer)
        snap = self.now(store, viewer, ok, wait)
        if title is not None and snap is not None and snap.found is None:
            snap = self._memory(store, viewer, ok, wait)  # a title check needs the names index: a build in memory
        state = self._state(store, snap)
        if title is not None:
            found: list[dict[str, Any]] = []
            if snap is not None and snap.found is not None:
                found = [x for x in self._similar_now(snap.found, viewer, title, limit) if ok(x["slug"])]
            items = self.items_of(store, (x["slug"] for x in found))
            return {"title": title, "hits": [items[x["slug"]] | {"score": x["score"], "reason": x["reason"]}
                                             for x in found if x["slug"] in items], **state}
        pairs = [p for p in (snap.pairs if snap is not None else []) if ok(p["a"]) and ok(p["b"])][:limit]
        items = self.items_of(store, (s for p in pairs for s in (p["a"], p["b"])))
        return {"pairs": [{"a": items[p["a"]], "b": items[p["b"]], "score": p["score"], "reason": p["reason"]}
                          for p in pairs if p["a"] in items and p["b"] in items], **state}

    def _similar_now(self, found: Discovery, viewer: str, title: str, limit: int) -> list[dict[str, Any]]:
        """Entries named like `title`; while an update changes the names index in place (a rebuild's refit can
        take seconds), the last answer to the same check instead of waiting (visibility is filtered after)."""
        key, lock = (viewer, title, limit), self.guard(viewer)
        if not lock.acquire(timeout=GUARD_WAIT):
            return self._similar.get(key, [])
        try:
            out = found.duplicates.similar(title, limit)
        finally:
            lock.release()
        if len(self._similar) >= 512:  # bounded: a form's checks as the owner types
            self._similar.pop(next(iter(self._similar)))
        self._similar[key] = out
        return out

    def _memory(self, store: Any, viewer: str, visible: Callable[[str], bool], wait: float) -> Snapshot | None:
        """A snapshot with its indexes (not read from disk): the one being made, if done within `wait`."""
        self.build_behind(store, viewer).join(wait)
        snap = self._snap.get(viewer)
        if snap is None or snap.found is None:
            return None
        rev = store.revision()
        return snap if snap.rev == rev or self._still_visible(viewer, snap, rev, visible) else None

    @staticmethod
    def _visible(store: Any, viewer: str) -> Callable[[str], bool]:
        """Visibility now, from the store's records (what a caller without the API's read model passes)."""
        def ok(slug: str) -> bool:
            rec = store.get(slug)
            return rec is not None and can_see(rec, viewer)
        return ok

    def topics(self, store: Any, viewer: str) -> list[dict[str, Any]]:
        """`[{id, label, stems, entries}]`: entries of the topic that `viewer` sees."""
        return list(self._snapshot(store, viewer).topics)

    def related(self, store: Any, slug: str, viewer: str) -> list[dict[str, Any]]:
        return list((self.all_fields(store, viewer).get(slug) or EMPTY)["related"])

    def duplicates(self, store: Any, viewer: str, title: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Pairs `[{a, b, score, reason}]` among what `viewer` sees, or with `title`: entries whose title or alias is
        near it (`[{slug, score, reason}]`, what a form asks as the owner types)."""
        snap = self._snapshot(store, viewer)
        if title is not None:
            assert snap.found is not None
            with self.guard(viewer):
                return snap.found.duplicates.similar(title, limit)
        return list(snap.pairs)


_views: dict[tuple[Path, int], tuple[Any, DiscoveryView]] = {}


def view_for(content_dir: str | Path, store: Any) -> DiscoveryView:
    """The process's DiscoveryView for a content folder and a store (one each: its caches are keyed by the store's
    revision, so two stores must never share one; the store is held so its id is not reused). Its results are
    kept beside the store (`.kb/discovery.sqlite`, with the keyword cache)."""
    key = (Path(content_dir).resolve(), id(store))
    hit = _views.get(key)
    if hit is None or hit[0] is not store:
        hit = _views[key] = (store, DiscoveryView(key[0], default_cache_path(store, key[0])))
    return hit[1]
