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
from typing import Any

from .fastpage import LAST, _key
from .followup_render import FollowUp, render

log = logging.getLogger("mkdocs.plugins.kb")
# site -> (the discovery they are of, slug -> its panels' key, slug -> the pages whose panels name it)
_KEYS: dict[str, tuple[Any, dict[str, str], dict[str, set[str]]]] = {}
_LEFT: dict[str, set[str]] = {}  # site -> slugs an interrupted run did not get to


def _index(site: str, discovery: Any, public: set[str]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each page's discovery key, and which pages name each entry in their panels (one pass, kept per discovery)."""
    from .incremental import _h

    known = _KEYS.get(site)
    if known is not None and known[0] is discovery:
        return known[1], known[2]
    keys: dict[str, str] = {}
    named: dict[str, set[str]] = {}
    for s in public:
        k = discovery.key(s)
        keys[s] = _h(k)
        for name, *_shown in k[-1]:
            named.setdefault(name, set()).add(s)
    _KEYS[site] = (discovery, keys, named)
    return keys, named


def naming(site_dir: str, discovery: Any, public: set[str], slugs: Any) -> set[str]:
    """The pages whose discovery panels name one of `slugs` (they show its title)."""
    named = _index(_key(site_dir), discovery, public)[1]
    return set().union(*(named.get(s, set()) for s in slugs))


def settle_discovery(site_dir: str, stop: Callable[[], bool] = lambda: False) -> FollowUp | None:
    """Recompute discovery and re-render the pages whose panels moved; None when there is nothing to do it on.
    `stop` is asked between pages: true leaves the rest for the next call."""
    from .incremental import _h
    from .topics import SiteDiscovery

    site = _key(site_dir)
    b = LAST.get(site)
    if b is None or b.plugin.discovery is None or b.plugin.index is None or b.plugin.glob_key is None:
        return None
    t0 = time.perf_counter()
    plugin, config, files = b.plugin, b.config, b.files
    index = plugin.index
    old = _index(site, plugin.discovery, index.public)[0]
    from .index import default_store_url

    # the kept discovery of this site (updated, not built again) and its saved results, as the build uses
    plugin.discovery = SiteDiscovery(index, config.docs_dir,
                                     plugin.config.store_url or default_store_url(config.docs_dir))
    new = _index(site, plugin.discovery, index.public)[0]
    moved = {s for s in new if new[s] != old.get(s)} | (_LEFT.pop(site, set()) & index.public)
    keys = plugin.cache.keys.setdefault(config.site_dir, {})
    todo: list[tuple[str, str, Any]] = []
    for p in plugin.discovery.pages():  # the topics page
        f = files.get_file_from_path(p.src_uri)
        if f is not None and f.page is not None and p.src_uri in plugin.generated:
            plugin.generated[p.src_uri] = p
            key = _h([plugin.glob_key, p.markdown])
            if keys.get(p.src_uri) != key:
                todo.append((p.src_uri, key, f.page))
    # The home page's Topics card reads the topics this discovery saved: bring it along (a full build would).
    taken = {f.url for f in (files.get_file_from_path(src) for src in plugin.entry_files) if f is not None}
    for p in plugin._generated_pages(index, config, taken) if plugin.config.home else []:
        f = files.get_file_from_path(p.src_uri)
        if p.url or p.src_uri not in plugin.generated or f is None or f.page is None:
            continue
        plugin.generated[p.src_uri] = p
        plugin._generated_cache = None  # its key is over all records: the next build recomputes it
        key = _h([plugin.glob_key, p.markdown])
        if keys.get(p.src_uri) != key:
            todo.append((p.src_uri, key, f.page))
    left = sorted(moved)
    for i, slug in enumerate(left):
        if stop():
            _LEFT[site] = set(left[i:])
            break
        f = files.get_file_from_path(index.records[slug]["path"])
        if f is None or f.page is None:
            continue
        key = plugin.page_key(f, config)
        if keys.get(f.src_uri) != key:
            todo.append((f.src_uri, key, f.page))
    out = FollowUp(candidates=len(moved))
    render(b, todo, out, stop=stop, left=_LEFT.setdefault(site, set()),
            slug_of=lambda src: plugin.entry_files.get(src))
    if not _LEFT[site]:
        del _LEFT[site]
    out.seconds = time.perf_counter() - t0
    log.info("kb: discovery: %d page(s) of %d moved re-rendered in %.3fs", len(out.rendered), len(moved), out.seconds)
    return out
