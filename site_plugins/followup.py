"""Edit -> every affected page without a MkDocs build: after `fastpage` published the edited page, re-render only
the pages whose render key the edit changed, from the last build's state, and patch the site's JSON outputs.

A dirty MkDocs build reloads every record, recomputes every page's render key, the nav, sitemap and search index:
seconds at 10,000 entries for a one-file edit. Here the store is read by slug only: the edited entries, and the
entries whose stored form the edit changed (link targets gain or lose a backlink; links elsewhere re-resolve
when a name changed). The candidate pages are those that show something of them (backlinks, links, embeds,
document chapters, query results, tag/type/home pages, discovery panels naming them; the panels' own
recomputation follows in `followup_discovery`); each gets the key the dirty build would give it
(`KbPlugin.page_key`), and only the pages whose key moved are rendered. An entry added or deleted (a rename is
both) is an entry shown or hidden: before it came and after it went it stands as a draft (`followup_read.absent`).
An edit that changes which pages or files exist otherwise (a document's chapter or a permalink added or deleted, a
type page, an attachment to copy) returns None: the caller runs the dirty build, as before.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any

from kbsync.tags import keys_with_ancestors
from kbsync.visibility import PUBLIC, can_see

from .explorer import retitle
from .fastpage import LAST, LastBuild, _key
from .followup_generated import generated, listed_pages
from .followup_hide import publish, unlist, unpublish
from .followup_outputs import patch_json_outputs
from .followup_panels import patch_named
from .followup_read import (
    ABSENT,
    NAME_FIELDS,
    Fallback,
    candidates,
    face,
    forget,
    page_inputs,
    read_edited,
    read_linked,
    relation_sources,
    targets,
)
from .followup_render import FollowUp, render, unpublished
from .followup_state import kept, move, replaced
from .followup_tree import toggle
from .incremental import refresh_faces

log = logging.getLogger("mkdocs.plugins.kb")
__all__ = ["Fallback", "FollowUp", "follow_up"]
TREE_FIELDS = ("title", "path", "url", "chapters", "document")  # what the explorer tree shows of an entry
TYPEAHEAD_FIELDS = ("title", "url", "type", "aliases", "tags")  # and typeahead.json (with inbound links)


def follow_up(site_dir: str, store_url: str, changed: list[str]) -> FollowUp | None:
    """Bring every page `changed` affects up to date; None when only a dirty build can (nothing was written)."""
    b = LAST.get(_key(site_dir))
    plugin = b.plugin if b is not None else None
    if b is None or plugin is None or plugin.index is None or not changed or not plugin.dirty \
            or not plugin.config.incremental or getattr(plugin, "glob_key", None) is None:
        return None
    t0 = time.perf_counter()
    index = plugin.index
    for rec in b.before.values():  # as the site was rendered: what publish_first changed is part of the edit
        index.records[rec["slug"]] = rec
        index.by_path[rec["path"]] = rec
    refresh_faces(index, list(b.before))
    b.before.clear()
    try:
        out = _follow_up(b, store_url, list(dict.fromkeys(changed)))
    except Fallback as why:
        log.info("kb: %s: a dirty build follows", why)
        return None
    out.seconds = time.perf_counter() - t0
    log.info("kb: %d page(s) of %d candidates re-rendered in %.3fs", len(out.rendered), out.candidates, out.seconds)
    return out


def _follow_up(b: LastBuild, store_url: str, changed: list[str]) -> FollowUp:
    plugin, config = b.plugin, b.config
    index = plugin.index
    if plugin.config.nav != "compact" and any(True for _ in changed):
        # `folders` lists every entry's title in the nav, `keep` every generated page: any title may be in it
        raise Fallback(f"nav: {plugin.config.nav}")
    k = kept(b)  # read off the index before the edit moves it
    from kbsync.store import open_store

    store = open_store(store_url)
    try:
        fresh, came = read_edited(store, index, changed)
        for s, rec in came.items():  # an added entry was a draft at its path: shown below, if public
            index.records[s] = index.by_path[rec["path"]] = rec
        refresh_faces(index, list(came))
        went = [s for s, r in fresh.items() if r.get(ABSENT)]  # deleted: hidden below, then forgotten
        old = {s: index.records[s] for s in fresh}
        was_public = {s: index.is_public(s) for s in fresh}
        old_inputs = {s: page_inputs(index, s) for s in fresh}
        hidden = sorted(s for s, r in fresh.items() if was_public[s] and not can_see(r, PUBLIC))
        shown = sorted(s for s, r in fresh.items() if not was_public[s] and can_see(r, PUBLIC))
        refs = plugin.refs.get(config.site_dir, {})
        if any(unpublished(b, refs.get(index.records[s]["path"], set())) for s in hidden):
            raise Fallback("a hidden page pointed to attachments")
        out = FollowUp()
        # The edited page's step (hidden: gone; shown: written) waits for nothing else: the records the sync
        # changed through it (a hub's backlinks: tens of thousands at 100,000) are read after.
        gone = [unpublish(b, s, fresh[s]) for s in hidden]  # its page goes; the pages that showed it re-render below
        _apply(plugin, config, fresh, any(old[s].get(f) != r.get(f) for s, r in fresh.items() for f in NAME_FIELDS))
        for s in shown:  # its page comes, with the pages that show it
            if not publish(b, s, fresh[s]):
                raise Fallback(f"{s} shown: an excluded path, a permalink or a sitemap entry")
        first = [(f.src_uri, plugin.page_key(f, config), f.page) for f in
                 (b.files.get_file_from_path(fresh[s]["path"]) for s in shown) if f is not None and f.page is not None]
        render(b, first, out, search=False)  # the edited page first: below, its key is current and it is skipped
        out.first = time.perf_counter()
        others = read_linked(store, index, old, fresh)
    finally:
        store.close()
    for s in others:
        old[s], was_public[s], old_inputs[s] = index.records[s], index.is_public(s), page_inputs(index, s)
    updated = {**fresh, **others}
    names_moved = any(old[s].get(f) != r.get(f) for s, r in updated.items() for f in NAME_FIELDS)
    contents_moved = bool(hidden or shown) or any(old[s].get(f) != r.get(f) for s, r in updated.items()
                                                  for f in ("hash", "created", "updated"))
    faces = {s for s, r in updated.items() if face(old[s]) != face(r)}
    cand = candidates(index, updated, old, faces)
    if others:
        _apply(plugin, config, others, names_moved)
    for page in gone:
        unlist(b, page)
    urls = set(plugin._urls or ())  # what its links found (a tag page it names may come below)
    named: set[str] = set()  # pages whose panels alone show an updated entry
    if plugin.discovery is not None and faces:  # panels naming an updated entry show its title (the rest:
        from .followup_discovery import naming  # followup_discovery)

        named = naming(config.site_dir, plugin.discovery, index.public | set(hidden), faces) - cand
        cand |= named
    cand = {s for s in cand if index.is_public(s)}
    files = b.files
    keys = plugin.cache.keys.setdefault(config.site_dir, {})
    todo: list[tuple[str, str, Any]] = []  # (src_uri, new key, page)
    for slug in sorted(cand):
        f = files.get_file_from_path(index.records[slug]["path"])
        if f is None or f.page is None:
            raise Fallback(f"{slug} has no page")
        key = plugin.page_key(f, config)
        if keys.get(f.src_uri) != key or not os.path.isfile(f.abs_dest_path):
            todo.append((f.src_uri, key, f.page))
    for s, rec in updated.items():  # entry pages that run a query: kept, as their text says now
        f = files.get_file_from_path(rec["path"])
        if f is not None and index.is_public(s) and plugin.queries.uses_queries(f.abs_src_path, rec.get("hash")):
            k.queries.add(f.src_uri)
        elif f is not None:
            k.queries.discard(f.src_uri)
    if contents_moved:  # query results may change on any page that runs a query
        for src in sorted(k.queries):
            slug = plugin.entry_files.get(src)
            f = files.get_file_from_path(src)
            if slug is not None and slug not in cand and f is not None and f.page is not None:
                key = plugin.page_key(f, config)
                if keys.get(src) != key:
                    todo.append((src, key, f.page))
    listed = {s for s in updated if (was_public[s] or index.is_public(s)) and page_inputs(index, s) != old_inputs[s]}
    listed |= {s for s in relation_sources(updated, old, faces) if index.is_public(s)}  # their rows show a title
    tags = {t for s in listed for r in (old.get(s), index.records[s]) if r for t in keys_with_ancestors(r.get("tags") or [])}
    kinds = {str(r.get("type") or "note") for s in listed for r in (old.get(s), index.records[s]) if r}
    old_shown = {t: k.shown[t] for t in tags if t in k.shown}
    for s, rec in updated.items():
        move(k, s, old[s], was_public[s], rec, index.is_public(s))
    tree = _explorer(k, index, old, updated, was_public)
    todo += generated(b, listed_pages(b, k, listed, tags, kinds, old_shown) if listed else None, contents_moved,
                      faces)
    if first and set(plugin._urls or ()) != urls:  # pages came or went since: render it again with them
        todo += first
    out.candidates = len(cand)
    if named:  # a hidden entry leaves their panels, a shown one may enter them, a title moves there: patched
        todo = patch_named(b, todo, old, {*hidden, *shown}, named, out.patched)
    graph = _graph_beside(plugin, config, todo, sorted(updated), went)
    try:
        render(b, todo, out, dropped=bool(hidden or shown))
    except Exception:
        if graph is not None:  # let it finish (killed, it could leave a temp file); the build after redoes it
            graph()
        raise
    typeahead = {x for s, r in updated.items() if was_public[s] != index.is_public(s) or (was_public[s] and (
                 targets(old[s]) != targets(r) or any(old[s].get(f) != r.get(f) for f in TYPEAHEAD_FIELDS)))
                 for x in {s} | targets(old[s]) | targets(r)}  # link targets: their inbound counts
    for s in went:  # as a full build's index has it: no record (graph.json drops its node below)
        forget(index, s)
    patch_json_outputs(plugin, config, k, sorted(updated), explorer=tree, typeahead=typeahead, graph=graph)
    return out


GRAPH_BESIDE_FROM = 8  # pages to re-render from which an edit's local graph files are made in a process beside them


def _graph_beside(plugin: Any, config: Any, todo: list[Any], changed: list[str], went: list[str]) -> Any:
    """The edit's local graph files, made beside the page renders when there are enough of both to share the
    cores (a much-linked entry hidden or deleted: hundreds of each); None: made after them, here."""
    if not plugin.config.graph or len(todo) < GRAPH_BESIDE_FROM:
        return None
    from .graph_site import local_beside

    index = plugin.index

    def before() -> None:  # in that process: the index as the graph is published from below
        for s in went:
            forget(index, s)

    return local_beside(config.site_dir, index, changed, before)


def _explorer(k: Any, index: Any, old: dict[str, Any], updated: dict[str, Any], was_public: dict[str, bool]) -> bool:
    """Bring the kept explorer tree up to date (a retitled entry's row in place; else made again when next
    asked); True when it moved."""
    moved = {s: {f for f in TREE_FIELDS if old[s].get(f) != r.get(f)} for s, r in updated.items()
             if was_public[s] or index.is_public(s)}  # the tree lists public entries only
    if not any(moved.values()) and all(was_public[s] == index.is_public(s) for s in moved):
        return False
    # an entry hidden, shown, added or deleted (an absent stand-in has no title or chapters) is one row in or out:
    # `check` let no document or moved path through
    if k.tree is not None and all(m <= {"title"} for s, m in moved.items() if was_public[s] == index.is_public(s)):
        if all(retitle(k.tree, updated[s]["path"], index.page_url(s), index.title(s)) if was_public[s]
               == index.is_public(s) else toggle(k.tree, updated[s]["path"], index.page_url(s),
                                                 index.title(s) if index.is_public(s) else old[s].get("title"),
                                                 index.is_public(s))
               for s, m in moved.items() if m or was_public[s] != index.is_public(s)):
            return True
    k.tree = None  # made once, for explorer.json and the home page
    return True


def _apply(plugin: Any, config: Any, updated: dict[str, Any], names_moved: bool) -> None:
    """Put the new records into the last build's state, as on_files would have loaded them."""
    from .links import LinkManager

    index = plugin.index
    resolver = index.__dict__.get("resolver")
    for s, rec in updated.items():
        index.records[s] = rec
        index.by_path[rec["path"]] = rec
        if resolver is not None and names_moved:
            resolver.remove(rec["path"])
            if not rec.get(ABSENT):
                resolver.add(rec)
    refresh_faces(index, updated)
    q = plugin.queries
    q.records = replaced(q.records, updated)
    q._pages, q._key = None, None
    cfg = plugin.config
    plugin.links = LinkManager(index, config.docs_dir, tag_pages=cfg.tag_pages, embed_depth=cfg.embed_depth,
                               broken=cfg.broken_links)  # fresh caches: embedded bodies and stored links moved
