"""Edit -> page first: re-render the edited entries' pages at once from the last build's state, before the
incremental build that then brings every affected page (backlinks, tags, graph, search) up to date.

A one-file edit at 10,000 entries costs a dirty MkDocs build seconds of per-build work over every file
(load all records, nav, render keys, sitemap, search index) before the edited page is written. The pages
published here reuse the last build's config, files, nav and Jinja environment and read only the edited
records from the store; they are provisional: their render keys are dropped, so the incremental build that
follows renders them again like any other changed page (incremental == full build stays its job alone).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbsync.visibility import PUBLIC, can_see

from .incremental import refresh_faces

log = logging.getLogger("mkdocs.plugins.kb")


@dataclass
class LastBuild:
    """What the last successful build of a site folder left to render one more page with."""

    plugin: Any  # the KbPlugin instance (it persists between builds of one process)
    config: Any
    files: Any
    nav: Any
    env: Any
    # slug -> its record as the build (or the last follow-up) rendered the site with, for records publish_first
    # replaced: site_plugins/followup.py puts them back to see what the edit changed
    before: dict[str, Any] = field(default_factory=dict)
    # what follow-ups keep up to date between themselves instead of recomputing it over every entry (tag and
    # type listings, the explorer tree, typeahead rows, inbound link counts): site_plugins/followup_state.py
    state: dict[str, Any] = field(default_factory=dict)


LAST: dict[str, LastBuild] = {}  # site_dir -> the last build of it in this process


def _key(site_dir: str) -> str:
    return str(Path(site_dir).resolve())


def remember(site_dir: str, build: LastBuild) -> None:
    index = build.plugin.index
    if index is not None:  # the records its discovery cut link contexts from (followup_discovery re-cuts the rest)
        build.state["sources"] = {s: index.records[s] for s in index.public}
    LAST[_key(site_dir)] = build


def doc_pages(b: LastBuild) -> Any:
    """The build's documentation pages (a scan of every file, ~0.1 s at 10,000: kept until a page comes or goes)."""
    got = b.state.get("docs")
    if got is None:
        got = b.state["docs"] = b.files.documentation_pages()
    return got


def docs_moved(b: LastBuild, gone: Any = None, came: Any = None) -> None:
    """Keep the kept documentation pages as a scan would list them now that page `gone` left the files or
    `came` was appended to them (a scan of every file is ~0.1 s at 100,000)."""
    got = b.state.get("docs")
    if got is None:
        return
    if gone is not None:
        got = b.state["docs"] = [f for f in got if f is not gone]
    if came is not None and came.is_documentation_page() and came.inclusion.is_included():
        got.append(came)  # Files keeps insertion order: an appended file is scanned last


def _fresh_records(store_url: str, slugs: list[str]) -> dict[str, dict[str, Any] | None]:
    from kbsync.store import open_store

    store = open_store(store_url)
    try:
        return {s: store.get(s) for s in slugs}
    finally:
        store.close()


def _renderable(b: LastBuild, slug: str, rec: dict[str, Any] | None) -> Any:
    """The page to re-render for `rec`, or None when its edit changes what pages exist (a full build's work)."""
    index = b.plugin.index
    old = index.records.get(slug) if index is not None else None
    if rec is None or old is None or not index.is_public(slug) or not can_see(rec, PUBLIC):
        return None  # new, deleted, hidden or shown: pages appear or go, the nav changes
    if rec.get("path") != old.get("path") or rec.get("url") != old.get("url"):
        return None
    file = b.files.get_file_from_path(rec["path"])
    return file.page if file is not None and file.page is not None else None


def publish_first(site_dir: str, store_url: str, slugs: list[str]) -> list[str]:
    """Re-render and write the pages of `slugs` now; returns the slugs published (others wait for the build)."""
    from mkdocs.commands.build import _build_page, _populate_page

    b = LAST.get(_key(site_dir))
    if b is None or not slugs or b.plugin.index is None:
        return []
    t0 = time.perf_counter()
    done: list[str] = []
    index = b.plugin.index
    pages = []
    for slug, rec in _fresh_records(store_url, slugs[:50]).items():  # a big batch: the build is as quick
        page = _renderable(b, slug, rec)
        if page is None or rec is None:
            continue
        b.before.setdefault(slug, index.records[slug])
        links = b.plugin.links
        if links is not None:  # its links as sync stored them now (else each new one is resolved again here)
            links._stored.pop(rec["path"], None)
            links._bodies.pop(rec["path"], None)
        index.records[slug] = rec
        index.by_path[rec["path"]] = rec
        pages.append((slug, page))
    if not pages:
        return []
    refresh_faces(index, [slug for slug, _page in pages])  # what pages show of each entry (titles may have moved)
    searches = _search_state(b.config)
    doc_files = doc_pages(b)
    keys = b.plugin.cache.keys.get(b.config.site_dir, {})
    for slug, page in pages:
        keys.pop(page.file.src_uri, None)  # provisional: the next build renders it again
        try:
            _populate_page(page, b.config, b.files, dirty=False)
            _build_page(page, b.config, doc_files, b.nav, b.env, dirty=False)
            done.append(slug)
        except Exception:  # noqa: BLE001 - the build that follows reports it with the page's path
            log.debug("kb: quick render of %s failed; the build renders it", slug, exc_info=True)
    for plugin, entries in searches:  # the search index is the build's: leave it as that build made it
        plugin.search_index.entries = entries
    log.info("kb: published %d edited page(s) first in %.3fs", len(done), time.perf_counter() - t0)
    return done


def _search_state(config: Any) -> list[tuple[Any, list[Any]]]:
    """(search plugin, its index entries) for every search plugin: a page render appends to them."""
    out = []
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if index is not None and isinstance(getattr(index, "entries", None), list):
            out.append((plugin, list(index.entries)))
    return out
