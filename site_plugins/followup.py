"""Edit -> every affected page without a MkDocs build: after `fastpage` published the edited page, re-render only
the pages whose render key the edit changed, from the last build's state, and patch the site's JSON outputs.

A dirty MkDocs build reloads every record, recomputes every page's render key, the nav, sitemap and search index:
seconds at 10,000 entries for a one-file edit. Here the store is read by slug only: the edited entries, and the
entries whose stored form the edit changed (link targets gain or lose a backlink; links elsewhere re-resolve
when a name changed). The candidate pages are those that show something of them (backlinks, links, embeds,
document chapters, query results, tag/type/home pages, discovery panels naming them; the panels' own
recomputation follows in `followup_discovery`); each gets the key the dirty build would give it
(`KbPlugin.page_key`), and only the pages whose key moved are rendered. An edit that changes which pages or
files exist otherwise (an entry added, deleted or renamed, a type page, an attachment to copy) returns None: the
caller runs the dirty build, as before.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from kbsync.resolve import name_keys
from kbsync.visibility import PUBLIC, can_see

from .fastpage import LAST, LastBuild, _key
from .followup_hide import add_generated, drop_generated, publish, unpublish
from .followup_outputs import patch_json_outputs, patch_search_index, search_plugins
from .pages import GEN
from .publish import write_atomic

log = logging.getLogger("mkdocs.plugins.kb")
NAME_FIELDS = ("title", "aliases", "type", "handle")  # what links resolve by (kbsync.sync re-resolves on these)
DOC_FIELDS = ("chapters", "document", "listed_chapters")  # documents are in the nav
EMBED_DEPTH = 16  # as deep as render keys follow embeds (incremental.entry_key)


class Fallback(Exception):
    """The edit changes what exists on the site: a dirty build's work."""


@dataclass
class FollowUp:
    """What a targeted update did."""

    rendered: list[str] = field(default_factory=list)  # src_uris re-rendered
    candidates: int = 0
    seconds: float = 0.0


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
    b.before.clear()
    index.__dict__.pop("faces", None)
    try:
        out = _follow_up(b, store_url, list(dict.fromkeys(changed)))
    except Fallback as why:
        log.info("kb: %s: a dirty build follows", why)
        return None
    out.seconds = time.perf_counter() - t0
    log.info("kb: %d page(s) of %d candidates re-rendered in %.3fs", len(out.rendered), out.candidates, out.seconds)
    return out


def _read(store_url: str, index: Any, changed: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(edited records, other records the sync changed): read by slug; raises Fallback for a structural edit."""
    from kbsync.store import open_store

    store = open_store(store_url)
    try:
        fresh: dict[str, Any] = {}
        more: set[str] = set()
        for s in changed:
            rec = fresh[s] = _check(index, s, index.records.get(s), store.get(s))
            old = index.records[s]
            more |= _targets(old) | _targets(rec)  # their backlinks name `s`
            if any(old.get(k) != rec.get(k) for k in NAME_FIELDS):  # links elsewhere may now find it, or lose it
                more |= {e.src for e in store.edges_with_keys(name_keys(old) | name_keys(rec))}
        more -= fresh.keys()
        others = {}
        for s in sorted(more):
            got = store.get(s)
            if got is None or s not in index.records or can_see(got, PUBLIC) != can_see(index.records[s], PUBLIC):
                raise Fallback(f"{s} appeared or went")
            if got != index.records[s]:
                others[s] = got
        return fresh, others
    finally:
        store.close()


def _targets(rec: dict[str, Any]) -> set[str]:
    return {ln["target"] for ln in rec.get("links") or [] if ln.get("target") and not ln.get("attachment")}


def _attachments(rec: dict[str, Any]) -> set[str]:
    return {ln["target"] for ln in rec.get("links") or [] if ln.get("target") and ln.get("attachment")}


def _check(index: Any, slug: str, old: dict[str, Any] | None, rec: dict[str, Any] | None) -> dict[str, Any]:
    """`rec`, when the edit from `old` to it is one the follow-up can publish; else raises Fallback."""
    if rec is None or old is None:
        raise Fallback(f"{slug} added or deleted")
    if index.is_public(slug) != can_see(rec, PUBLIC) and (old.get("chapters") or old.get("document")
                                                          or _attachments(old) or _attachments(rec)):
        raise Fallback(f"{slug} hidden or shown: a document, or attachments only it may publish")
    if not index.is_public(slug) and can_see(old, PUBLIC):
        raise Fallback(f"{slug} is not published (excluded)")
    if rec.get("path") != old.get("path") or rec.get("url") != old.get("url"):
        raise Fallback(f"{slug} moved")
    if any(rec.get(k) != old.get(k) for k in DOC_FIELDS):
        raise Fallback(f"{slug}'s document changed")
    if (old.get("chapters") or old.get("document")) and rec.get("title") != old.get("title"):
        raise Fallback(f"{slug}: a document's title is in the nav")
    if _attachments(rec) != _attachments(old):
        raise Fallback(f"{slug} links other attachments")
    return rec


def _follow_up(b: LastBuild, store_url: str, changed: list[str]) -> FollowUp:
    plugin, config = b.plugin, b.config
    index = plugin.index
    if plugin.config.nav != "compact" and any(True for _ in changed):
        # `folders` lists every entry's title in the nav, `keep` every generated page: any title may be in it
        raise Fallback(f"nav: {plugin.config.nav}")
    fresh, others = _read(store_url, index, changed)
    updated = {**fresh, **others}
    hidden = sorted(s for s, r in fresh.items() if index.is_public(s) and not can_see(r, PUBLIC))
    shown = sorted(s for s, r in fresh.items() if not index.is_public(s) and can_see(r, PUBLIC))
    refs = plugin.refs.get(config.site_dir, {})
    if any(_unpublished(b, refs.get(index.records[s]["path"], set())) for s in hidden):
        raise Fallback("a hidden page pointed to attachments")
    old_inputs = {s: _page_inputs(index, s) for s in updated}
    names_moved = any(index.records[s].get(k) != r.get(k) for s, r in updated.items() for k in NAME_FIELDS)
    contents_moved = bool(hidden or shown) or any(index.records[s].get(k) != r.get(k) for s, r in updated.items()
                         for k in ("hash", "created", "updated"))
    cand = _candidates(index, updated)
    _apply(plugin, config, updated, names_moved)
    for s in hidden:  # its page goes; the pages that showed it re-render below
        unpublish(b, s, fresh[s])
    for s in shown:  # its page comes, with the pages that show it
        if not publish(b, s, fresh[s]):
            raise Fallback(f"{s} shown: an excluded path, a permalink or a sitemap entry")
    if plugin.discovery is not None:  # panels naming an updated entry show its title (the rest: followup_discovery)
        from .followup_discovery import naming

        cand |= naming(config.site_dir, plugin.discovery, index.public | set(hidden), updated)
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
    if contents_moved:  # query results may change on any page that runs a query
        for src, slug in plugin.entry_files.items():
            f = files.get_file_from_path(src)
            if slug not in cand and f is not None and f.page is not None and plugin.queries.uses_queries(
                    f.abs_src_path, index.records[slug].get("hash")):
                key = plugin.page_key(f, config)
                if keys.get(src) != key:
                    todo.append((src, key, f.page))
    pages_moved = bool(hidden or shown) or any(_page_inputs(index, s) != old_inputs[s] for s in updated)
    todo += _generated(b, pages_moved, contents_moved)
    out = FollowUp(candidates=len(cand))
    _render(b, todo, out, dropped=bool(hidden))
    patch_json_outputs(plugin, config)
    return out


def _page_inputs(index: Any, slug: str) -> Any:
    """The part of `SiteIndex.page_inputs()` that is this entry's (what tag, type and home pages show of it)."""
    r = index.records[slug]
    rel = [(ln.get("kind"), ln.get("target")) for ln in r.get("links") or []
           if ln.get("kind", "link") not in ("link", "embed", "mention", "chapter")]
    return (r["path"], r.get("title"), r.get("type"), r.get("tags"), r.get("fields"), r.get("date"),
            r.get("updated"), bool(r.get("chapters")), rel, r.get("created"))




def _candidates(index: Any, updated: dict[str, Any]) -> set[str]:
    """Pages that show something of the updated entries: themselves, what they link to and what links to them
    (before and after the edit), their document, and every page embedding one of those, transitively."""
    cand = set(updated)
    for s, rec in updated.items():
        for r in (index.records[s], rec):
            cand |= _targets(r)
            cand |= {x.get("source") for x in r.get("backlinks") or [] if x.get("source")}
            doc = r.get("document") or (s if r.get("chapters") else None)
            if doc:
                cand |= {doc, *(index.records.get(doc, {}).get("chapters") or [])}
    frontier = set(cand)
    for _ in range(EMBED_DEPTH):
        frontier = {x.get("source") for s in frontier for r in (index.records.get(s), updated.get(s)) if r
                    for x in r.get("backlinks") or [] if x.get("kind") == "embed" and x.get("source")} - cand
        if not frontier:
            break
        cand |= frontier
    return {s for s in cand if s in index.records}


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
            resolver.add(rec)
    index.__dict__.pop("faces", None)
    q = plugin.queries
    q.records = [updated.get(r["slug"], r) for r in q.records]
    q._pages, q._key = None, None
    cfg = plugin.config
    plugin.links = LinkManager(index, config.docs_dir, tag_pages=cfg.tag_pages, embed_depth=cfg.embed_depth,
                               broken=cfg.broken_links)  # fresh caches: embedded bodies and stored links moved


def _generated(b: LastBuild, pages_moved: bool, contents_moved: bool) -> list[tuple[str, str, Any]]:
    """Generated pages (tags, types, home, .base, topics) whose Markdown changed: (src_uri, key, page)."""
    from .incremental import _h

    plugin, config, files = b.plugin, b.config, b.files
    pages = []
    if pages_moved:
        taken = {files.get_file_from_path(src).url for src in plugin.entry_files if files.get_file_from_path(src)}
        pages += plugin._generated_pages(plugin.index, config, taken)
        plugin._generated_cache = None  # its key is over all records: the next build recomputes it
    if contents_moved:
        pages += plugin.queries.base_pages(files)
    if plugin.discovery is not None:
        pages += plugin.discovery.pages()
    core = {src for src in plugin.generated if _core(src)}
    todo = []
    if pages_moved:
        new = {p.src_uri: p for p in pages if _core(p.src_uri)}
        moved = new.keys() ^ core
        if any(not plugin.generated.get(s, new.get(s)).url.startswith("tags/") for s in moved) or moved and (
                config.site_url or plugin.config.nav != "compact"):
            # a type page is in the nav; a new page would need a sitemap entry
            raise Fallback(f"generated pages appeared or went: {', '.join(sorted(moved)[:3])}")
        taken = {f.url for f in files.documentation_pages()}
        for s in sorted(moved):
            if s in new and new[s].url in taken:
                raise Fallback(f"generated page {new[s].url} would take an entry's URL")
            if s in new:
                page = add_generated(b, new[s])
                todo.append((s, _h([plugin.glob_key, new[s].markdown]), page))
            else:
                drop_generated(b, s)
        pages = [p for p in pages if p.src_uri not in moved]
    keys = plugin.cache.keys.setdefault(config.site_dir, {})
    for p in pages:
        old = plugin.generated.get(p.src_uri)
        f = files.get_file_from_path(p.src_uri)
        if old is None or f is None or f.page is None or old.url != p.url or old.title != p.title \
                or set(old.files) != set(p.files):
            raise Fallback(f"generated page {p.url or '/'} appeared, moved or was retitled")
        for path, text in p.files.items():  # a table's rows as JSON
            if old.files.get(path) != text:
                write_atomic(text.encode("utf-8"), os.path.join(config.site_dir, path))
        plugin.generated[p.src_uri] = p
        key = _h([plugin.glob_key, p.markdown])
        if keys.get(p.src_uri) != key:
            todo.append((p.src_uri, key, f.page))
    return todo


def _core(src: str) -> bool:
    """A page `_generated_pages` makes (tags, types, graph, search, home), not a .base or the topics page."""
    return not src.startswith("kb-bases/") and src != f"{GEN}/topics.md"


def _render(b: LastBuild, todo: list[tuple[str, str, Any]], out: FollowUp, dropped: bool = False,
            stop: Any = None, left: set[str] | None = None, slug_of: Any = None) -> None:
    """Render the pages and update the render keys, the search index and what attachments pages point to."""
    from mkdocs.commands.build import _build_page, _populate_page

    plugin, config = b.plugin, b.config
    keys = plugin.cache.keys.setdefault(config.site_dir, {})
    refs = plugin.refs.setdefault(config.site_dir, {})
    searches = search_plugins(config)
    before = {p: list(p.search_index.entries) for p in searches}
    doc_files = b.files.documentation_pages()
    seen: set[str] = set()
    try:
        for i, (src, key, page) in enumerate(todo):
            if src in seen:
                continue
            if stop is not None and stop():  # a new edit came in: the rest waits for the next call
                if left is not None and slug_of is not None:
                    left |= {x for x in (slug_of(t[0]) for t in todo[i:]) if x}
                break
            seen.add(src)
            old_refs = refs.get(src, set())
            keys.pop(src, None)  # until it is written: a failed render leaves it to the next build
            _populate_page(page, config, b.files, dirty=False)
            _build_page(page, config, doc_files, b.nav, b.env, dirty=False)
            if _unpublished(b, old_refs ^ refs.get(src, set())):
                raise Fallback(f"{src} points to other attachments")
            keys[src] = key
            out.rendered.append(src)
    except BaseException:
        for plugin_, entries in before.items():  # the build that follows indexes these pages itself
            plugin_.search_index.entries = entries
        raise
    patch_search_index(config, before, {page.url for src, _k, page in todo if src in seen}, write=dropped)

def _unpublished(b: LastBuild, paths: set[str]) -> bool:
    """Does one of these site paths name a file of docs_dir that the site does not publish (or must stop to)?"""
    docs = b.config.docs_dir
    return any(os.path.isfile(os.path.join(docs, p)) and not p.endswith(".md") for p in paths)
