"""Discovery on the read side: per-viewer related entries, duplicates, unlinked mentions and topics over a store,
computed in memory once per store revision and viewer, plus backlink context sentences, for entry JSON, the API routes and the site."""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..derive.text import inline_plain
from ..discovery.enrich import Discovery
from ..discovery.profile import Profiles
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


class DiscoveryView:
    """Discovery per viewer over one store, rebuilt when the store's revision moves (entry profiles are reused
    by content hash, so a rebuild re-reads only the changed entries)."""

    def __init__(self, content_dir: str | Path) -> None:
        self.content_dir = Path(content_dir)
        self._lock = threading.Lock()
        self._built: dict[str, tuple[int, Discovery]] = {}
        self._fields: dict[str, tuple[int, dict[str, dict[str, Any]]]] = {}
        self._contexts: tuple[int, dict[str, dict[tuple[str, str], str]]] | None = None
        self._records: tuple[int, list[dict[str, Any]]] | None = None
        self._items: tuple[int, dict[str, dict[str, Any]]] | None = None
        self._profiles = Profiles()
        self._behind: dict[str, threading.Thread] = {}
        self._safe: dict[str, tuple[int, int, bool]] = {}  # viewer -> (built rev, store rev, still all visible)

    def _load(self, store: Any, rev: int) -> list[dict[str, Any]]:
        """Full records (links attached: the graph needs them), read once per revision; call under the lock."""
        if self._records is None or self._records[0] != rev:
            self._records = (rev, list(store.entries()))
        return self._records[1]

    def discovery(self, store: Any, viewer: str) -> Discovery:
        """The Discovery of what `viewer` sees at the store's current revision."""
        rev = store.revision()
        with self._lock:
            hit = self._built.get(viewer)
            if hit is None or hit[0] != rev:
                d = Discovery(self.content_dir, viewer).build(self._load(store, rev), profiles=self._profiles, workers=1)
                hit = self._built[viewer] = (rev, d)
                self._fields.pop(viewer, None)
            return hit[1]

    def ready(self, store: Any, viewer: str) -> bool:
        """Is `viewer`'s discovery built at the store's revision (so a query is a few comparisons in memory)?"""
        hit, items = self._built.get(viewer), self._items
        rev = store.revision()
        return hit is not None and hit[0] == rev and items is not None and items[0] == rev

    def all_fields(self, store: Any, viewer: str) -> dict[str, dict[str, Any]]:
        """slug -> discovery fields for `viewer` at the store's revision."""
        rev = store.revision()
        hit = self._fields.get(viewer)
        if hit is not None and hit[0] == rev:
            return hit[1]
        d = self.discovery(store, viewer)
        fields = d.fields()
        self._fields[viewer] = (rev, fields)
        return fields

    def fields(self, store: Any, slug: str, viewer: str) -> dict[str, Any]:
        """One entry's discovery fields for `viewer` plus `contexts` ({(source, kind): sentence})."""
        out = dict(self.all_fields(store, viewer).get(slug) or EMPTY)
        out["contexts"] = self.contexts_of(store, slug)
        return out

    def build_behind(self, store: Any, viewer: str) -> threading.Thread:
        """Build `viewer`'s discovery at the store's revision in a background thread (one at a time per viewer)."""
        with self._lock:
            t = self._behind.get(viewer)
            if t is None or not t.is_alive():
                t = self._behind[viewer] = threading.Thread(target=self._build_quietly, args=(store, viewer),
                                                            name=f"kb-discovery-{viewer}", daemon=True)
                t.start()
            return t

    def _build_quietly(self, store: Any, viewer: str) -> None:
        try:
            self.all_fields(store, viewer)
        except Exception:  # a store gone mid-build: the next request tries again
            log.exception("discovery build for %s failed", viewer)

    def fields_now(self, store: Any, viewer: str, visible: Callable[[str], bool],
                   wait: float = FIRST_WAIT) -> dict[str, dict[str, Any]] | None:
        """slug -> discovery fields without blocking a request on a rebuild: the build at the store's revision,
        else the last one while a new one runs behind, if every entry it covers is still visible to `viewer` (an
        entry hidden since must not linger in a topic or a list), else what a build finishes within `wait`, else None."""
        rev = store.revision()
        hit = self._fields.get(viewer)
        if hit is not None and hit[0] == rev:
            return hit[1]
        t = self.build_behind(store, viewer)
        if hit is not None and self._still_visible(viewer, hit, rev, visible):
            return hit[1]
        t.join(wait)
        hit = self._fields.get(viewer)
        if hit is not None and (hit[0] == rev or self._still_visible(viewer, hit, rev, visible)):
            return hit[1]
        return None

    def _still_visible(self, viewer: str, hit: tuple[int, dict[str, Any]], rev: int,
                       visible: Callable[[str], bool]) -> bool:
        known = self._safe.get(viewer)
        if known is None or known[:2] != (hit[0], rev):
            known = self._safe[viewer] = (hit[0], rev, all(visible(s) for s in hit[1]))
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
        with self._lock:
            if self._contexts is None or self._contexts[0] != rev:
                self._contexts = (rev, backlink_contexts(self._load(store, rev)))
            return self._contexts[1].get(slug) or {}

    def items(self, store: Any) -> dict[str, dict[str, Any]]:
        """slug -> `{slug, title, url, type}` at the store's revision (what every API hit carries)."""
        rev = store.revision()
        with self._lock:
            if self._items is None or self._items[0] != rev:
                self._items = (rev, {r["slug"]: {"slug": r["slug"], "title": str(r.get("title") or r["slug"]),
                                                 "url": r.get("url") or f"/{r['slug']}/",
                                                 "type": str(r.get("type") or "note")}
                                     for r in self._load(store, rev)})
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

    def related_items(self, store: Any, slug: str, viewer: str) -> dict[str, Any] | None:
        """`{slug, related: [{slug, title, url, type, score}]}`, None when `viewer` may not see `slug`."""
        fields = self.all_fields(store, viewer)
        if slug not in fields:
            rec = store.get(slug)
            if rec is None or not can_see(rec, viewer):
                return None
        items = self.items(store)
        return {"slug": slug, "related": [items[x["slug"]] | {"score": x["score"]}
                                          for x in (fields.get(slug) or EMPTY)["related"] if x["slug"] in items]}

    def duplicate_items(self, store: Any, viewer: str, title: str | None = None, limit: int = 20) -> dict[str, Any]:
        """`GET /api/duplicates`: `{pairs: [{a, b, score, reason}]}` (a, b: items) the viewer sees, or with `title`,
        `{title, hits: [{slug, title, url, type, score, reason}]}` (a form's warning while the owner types)."""
        items = self.items(store)
        found = self.duplicates(store, viewer, title, limit)
        if title is not None:
            return {"title": title, "hits": [items[x["slug"]] | {"score": x["score"], "reason": x["reason"]}
                                             for x in found if x["slug"] in items]}
        return {"pairs": [{"a": items[p["a"]], "b": items[p["b"]], "score": p["score"], "reason": p["reason"]}
                          for p in found[:limit] if p["a"] in items and p["b"] in items]}

    def topics(self, store: Any, viewer: str) -> list[dict[str, Any]]:
        """`[{id, label, stems, entries}]`: entries of the topic that `viewer` sees."""
        return list(self.discovery(store, viewer).topics)

    def related(self, store: Any, slug: str, viewer: str) -> list[dict[str, Any]]:
        return list((self.all_fields(store, viewer).get(slug) or EMPTY)["related"])

    def duplicates(self, store: Any, viewer: str, title: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Pairs `[{a, b, score, reason}]` among what `viewer` sees, or with `title`: entries whose title or alias is
        near it (`[{slug, score, reason}]`, what a form asks as the owner types)."""
        d = self.discovery(store, viewer)
        if title is not None:
            return d.duplicates.similar(title, limit)
        pairs = [{"a": a, "b": x["slug"], "score": x["score"], "reason": x["reason"]}
                 for a, rows in d.duplicates.result().items() for x in rows if a < x["slug"]]
        return sorted(pairs, key=lambda p: (-p["score"], p["a"], p["b"]))


_views: dict[tuple[Path, int], tuple[Any, DiscoveryView]] = {}


def view_for(content_dir: str | Path, store: Any) -> DiscoveryView:
    """The process's DiscoveryView for a content folder and a store (one each: its caches are keyed by the store's
    revision, so two stores must never share one; the store is held so its id is not reused)."""
    key = (Path(content_dir).resolve(), id(store))
    hit = _views.get(key)
    if hit is None or hit[0] is not store:
        hit = _views[key] = (store, DiscoveryView(key[0]))
    return hit[1]
