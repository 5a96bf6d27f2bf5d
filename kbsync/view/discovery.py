"""Discovery on the read side: per-viewer related entries, duplicates, unlinked mentions and topics over a store,
kept per viewer and updated when the store's revision moves (requests answer from the last build meanwhile), saved
beside the store for the next process, plus backlink context sentences, for entry JSON, the API routes and the site."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..discovery.enrich import Discovery, default_cache_path
from ..export import entry_json
from ..visibility import can_see
from .contexts import CONTEXT_KINDS, CONTEXT_MAX, PackedContexts, backlink_contexts, sentence_around
from .discovery_core import EMPTY, FIRST_WAIT, GUARD_WAIT, DiscoveryCore, Snapshot

__all__ = ["CONTEXT_KINDS", "CONTEXT_MAX", "EMPTY", "FIRST_WAIT", "GUARD_WAIT", "DiscoveryView", "PackedContexts", "Snapshot",
           "backlink_contexts", "sentence_around", "view_for"]


class DiscoveryView(DiscoveryCore):
    """Discovery per viewer over one store (built and kept by `DiscoveryCore`) and what the API and the site ask of
    it: entry JSON with its fields, related entries, duplicate pairs and title checks, topics."""

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
