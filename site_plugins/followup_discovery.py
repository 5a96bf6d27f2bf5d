"""The second phase of an edit's follow-up: the discovery panels (keywords, topics, related, unlinked mentions,
backlink context) and the topics page, recomputed over every public entry and re-rendered where they moved.

Discovery is corpus-wide (one edited body can move related scores and topics on thousands of pages, at 10,000
entries it costs tens of seconds on a loaded machine), so `kb serve`'s site worker runs it once the edits waiting
for it are published, coalescing any number of them, and stops between pages when a new edit comes in: the
pages left are checked again on the next run. Until then those pages show the discovery of the previous state,
as they would until the keyword filler's build.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kbsync.view.discovery import CONTEXT_KINDS, PackedContexts, backlink_contexts

from . import textpack
from .fastpage import LAST, _key
from .followup_generated import HOME, home
from .followup_panels import panel_key, patch
from .followup_render import FollowUp, render
from .followup_state import kept
from .followup_topics import topics_pages
from .packedmap import PackedMap

log = logging.getLogger("mkdocs.plugins.kb")
_LEFT: dict[str, set[str]] = {}  # site -> slugs an interrupted run did not get to


@dataclass
class _Kept:
    """What the panels' follow-ups keep per site, for the discovery they are of."""

    discovery: Any
    named: dict[str, set[str]]  # slug -> the pages whose panels may name it (a superset: all related, not 5)
    sources: dict[str, Any] = field(default_factory=dict)  # public slug -> the record its contexts were cut from


_KEPT: dict[str, _Kept] = {}


def _names(f: dict[str, Any] | None) -> set[str]:
    """The entries a page's panels may name (SiteDiscovery.key: related and unlinked), before the public filter."""
    f = f or {}
    return {x["slug"] for x in f.get("related") or []} | {x["source"] for x in f.get("unlinked") or []}


def _kept(site: str, discovery: Any) -> _Kept:
    got = _KEPT.get(site)
    if got is None or got.discovery is not discovery:
        named: dict[str, set[str]] = {}
        for s, f in discovery.fields.items():
            for n in _names(f):
                named.setdefault(n, set()).add(s)
        got = _KEPT[site] = _Kept(discovery, named)
    return got


def naming(site_dir: str, discovery: Any, public: set[str], slugs: Any) -> set[str]:
    """The pages whose discovery panels name one of `slugs` (they show its title)."""
    named = _kept(_key(site_dir), discovery).named
    return set().union(*(named.get(s, set()) for s in slugs)) & public


def _contexts(k: _Kept, old: Any, recs: list[dict[str, Any]], built: dict[str, Any] | None) -> PackedContexts:
    """`backlink_contexts(recs)`, cutting sentences again only from the sources whose record moved since `old`'s
    were cut (each source's contexts are its own: cutting every link's sentence takes seconds at 10,000 entries).
    `built`: the records the build's discovery cut them from, for the first time."""
    if not k.sources:
        if built is None:
            k.sources = {r["slug"]: r for r in recs}
            return PackedContexts.of(backlink_contexts(recs))
        k.sources = built
    now = {r["slug"]: r for r in recs}
    moved = {s for s in k.sources.keys() | now.keys() if k.sources.get(s) is not now.get(s)}
    if not moved:
        return PackedContexts.of(old.contexts)
    # a source gave contexts only to what its record (as they were cut from) links to
    gone = {s: {ln.get("target") for ln in (k.sources[s].get("links") or []) if ln.get("kind") in CONTEXT_KINDS}
            for s in moved if s in k.sources}
    fresh = backlink_contexts([now[s] for s in sorted(moved) if s in now])
    k.sources = now
    return PackedContexts.of(old.contexts).updated(gone, fresh)


def _discovery(index: Any, docs_dir: str, store_url: str, old: Any, k: _Kept, built: dict[str, Any] | None) -> Any:
    """A SiteDiscovery of the index now, as `SiteDiscovery(index, docs_dir, store_url)` makes it, with the link
    contexts brought up to date from `old`'s instead of cut again from every entry."""
    from .topics import SiteDiscovery, results_path, site_discovery, topic_anchor

    textpack.restore(index)  # discovery reads the entries' text: a big build held it out of the records
    recs = index.public_records()
    new = SiteDiscovery.__new__(SiteDiscovery)
    new.index = index
    fields, topics = site_discovery(recs, docs_dir, results_path(store_url))
    new.fields = PackedMap.of(fields)
    new.contexts = _contexts(k, old, recs, built)
    new.topics = [t | {"entries": [s for s in t["entries"] if index.is_public(s)]} for t in topics]
    new.anchor = {str(t["label"]): topic_anchor(t) for t in new.topics}
    return new


def settle_discovery(site_dir: str, stop: Callable[[], bool] = lambda: False) -> FollowUp | None:
    """Recompute discovery and re-render the pages whose panels moved; None when there is nothing to do it on.
    `stop` is asked between pages: true leaves the rest for the next call."""
    from .incremental import _h

    site = _key(site_dir)
    b = LAST.get(site)
    if b is None or b.plugin.discovery is None or b.plugin.index is None or b.plugin.glob_key is None:
        return None
    t0 = time.perf_counter()
    plugin, config, files = b.plugin, b.config, b.files
    index = plugin.index
    from .index import default_store_url

    old = plugin.discovery
    k = _kept(site, old)
    # the kept discovery of this site (updated, not built again) and its saved results, as the build uses
    new = plugin.discovery = _discovery(index, config.docs_dir,
                                        plugin.config.store_url or default_store_url(config.docs_dir), old, k,
                                        b.state.get("sources"))
    before = PackedMap.of(old.fields)
    raw = {s for s in before.keys() | new.fields.keys() if before.differs(new.fields, s)}
    for s in raw:  # whom their panels name
        for n in _names(old.fields.get(s)):
            k.named.get(n, set()).discard(s)
        for n in _names(new.fields.get(s)):
            k.named.setdefault(n, set()).add(s)
    k.discovery = new
    raw |= PackedContexts.of(old.contexts).changed(new.contexts)
    raw &= index.public
    # what the panels show (SiteDiscovery.key): scores to two places, so a corpus change that moves every
    # score in the third place (an entry hidden) re-renders only the pages whose panels read differently
    moved = {s for s in raw if old.key(s) != new.key(s)}
    anchors = {t for t in old.anchor.keys() | new.anchor.keys() if old.anchor.get(t) != new.anchor.get(t)}
    if anchors:  # a topic's link moved (the key has labels, the page links to anchors)
        moved |= {s for s in index.public if anchors.intersection(new.of(s)["topics"])}
    moved = (moved | _LEFT.pop(site, set())) & index.public
    keys = plugin.cache.keys.setdefault(config.site_dir, {})
    todo: list[tuple[str, str, Any]] = []
    for p in topics_pages(b, new, set()):  # the topics page (titles moved with the edits: their sections are new)
        f = files.get_file_from_path(p.src_uri)
        if f is not None and f.page is not None and p.src_uri in plugin.generated:
            plugin.generated[p.src_uri] = p
            key = _h([plugin.glob_key, p.markdown])
            if keys.get(p.src_uri) != key:
                todo.append((p.src_uri, key, f.page))
    # The home page's Topics card reads the topics this discovery saved: bring it along (a full build would).
    f = files.get_file_from_path(HOME)
    if plugin.config.home and HOME in plugin.generated and f is not None and f.page is not None:
        p = plugin.generated[HOME] = home(b, kept(b))
        plugin._generated_cache = None  # its key is over all records: the next build recomputes it
        key = _h([plugin.glob_key, p.markdown])
        if keys.get(HOME) != key:
            todo.append((HOME, key, f.page))
    left = sorted(moved)
    out = FollowUp(candidates=len(moved))
    for i, slug in enumerate(left):
        if stop():
            _LEFT[site] = set(left[i:])
            break
        f = files.get_file_from_path(index.records[slug]["path"])
        if f is None or f.page is None:
            continue
        was, key = panel_key(plugin, f, config, old)
        stored = keys.get(f.src_uri)
        if stored == key:
            continue
        if stored == was and patch(plugin, f, old, new):  # only its panels moved: patched in the written page
            keys[f.src_uri] = key
            out.patched.append(f.src_uri)
        else:
            todo.append((f.src_uri, key, f.page))
    render(b, todo, out, stop=stop, left=_LEFT.setdefault(site, set()),
            slug_of=lambda src: plugin.entry_files.get(src))
    if not _LEFT[site]:
        del _LEFT[site]
    out.seconds = time.perf_counter() - t0
    log.info("kb: discovery: %d page(s) of %d moved re-rendered, %d patched, in %.3fs", len(out.rendered), len(moved),
             len(out.patched), out.seconds)
    return out
