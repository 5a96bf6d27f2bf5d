"""Generated pages after an edit: the ones that list entries (tag and type pages, their indexes, the home page)
are made anew only where a listed entry moved, from the follow-ups' kept listings (followup_state.py) -- making
them all lists every public entry, seconds at 10,000 entries -- and re-rendered where their Markdown changed."""
from __future__ import annotations

import os
from typing import Any

from kbsync.tags import group
from kbsync.tags import key as tag_key

from .fastpage import doc_pages
from .followup_hide import add_generated, drop_generated
from .followup_read import Fallback
from .followup_state import Kept
from .followup_topics import topics_pages
from .home import home_for
from .index import tag_url, type_url
from .pages import GEN, GenPage, TagPages, TypePages
from .publish import write_atomic
from .tables import TableBuilder

HOME = f"{GEN}/home.md"


def listed_pages(b: Any, k: Kept, listed: set[str], tags: set[str], kinds: set[str], old_shown: dict[str, str]
                 ) -> tuple[list[GenPage], set[str]]:
    """(pages, scope): the pages of folded tags `tags` and types `kinds` (as the entries stand now), their indexes
    and the home page; scope: the src_uris of the generated pages they stand for (`old_shown`: how `tags` were
    spelled before), so that a page in scope and not among the pages goes. `listed`: the entries whose table
    rows moved (the kept table cells of the others are reused)."""
    plugin = b.plugin
    index, opts = plugin.index, plugin.config
    tables = k.tables
    if tables is None or tables.index is not index or tables.page_rows != max(1, opts.table_rows):
        tables = k.tables = TableBuilder(index, opts.table_rows)
    else:
        tables._cells = {c: v for c, v in tables._cells.items() if c[0] not in listed}
        tables._html = {c: v for c, v in tables._html.items() if c[0] not in listed}
    urls: set[str] = set()
    pages: list[GenPage] = []
    if opts.tag_pages:
        urls |= {"tags/", *(tag_url(old_shown[t]) for t in tags if t in old_shown)}
        pages += _tag_pages(index, k, tags, tables)
    if opts.type_pages:
        urls |= {"types/", *(type_url(kind) for kind in kinds)}
        types = {kind: sorted(v, key=index.title_order) if kind in kinds else v for kind, v in sorted(k.types.items())}
        pages += _with(TypePages(index, opts.table_rows), tables).pages(types=types, only=kinds)
    scope = {src for src, p in plugin.generated.items() if p.url in urls} | {p.src_uri for p in pages}
    if HOME in plugin.generated:  # the build made one: no entry has the root URL
        pages.append(home(b, k))
        scope.add(HOME)
    return pages, scope


def home(b: Any, k: Kept) -> GenPage:
    """The home page, from the follow-ups' kept listings and explorer tree."""
    from .explorer import explorer_tree

    plugin, index = b.plugin, b.plugin.index
    if k.tree is None:
        k.tree = explorer_tree(index)
    shown = {k.shown[t]: v for t, v in sorted(k.tags.items())} if plugin.config.tag_pages else {}
    return home_for(plugin, index, b.config, kinds=dict(sorted(k.types.items())), tag_groups=shown, tree=k.tree)


def _with(pages: Any, tables: TableBuilder) -> Any:
    pages.tables = tables  # its table cells, kept between follow-ups
    return pages


def _tag_pages(index: Any, k: Kept, tags: set[str], tables: TableBuilder) -> list[GenPage]:
    """Pages of `tags` (closed over their ancestors) and the tags index; spellings in `k.shown` brought up to date."""
    subset = sorted(set().union(*(k.tags.get(t, ()) for t in tags)))
    # every entry under an affected tag: how it and the tags nested under it are spelled depends on them alone
    fresh = {tag_key(d): (d, v) for d, v in group(((s, index.records[s].get("tags") or []) for s in subset),
                                                  index.title_order).items()}
    redo = set()
    for t in tags:
        if t in fresh:
            k.shown[t] = fresh[t][0]
            redo.add(fresh[t][0])
        else:
            k.shown.pop(t, None)
    for t, (d, _v) in fresh.items():  # nested under an affected tag: spelled after it
        if t not in tags and k.shown.get(t) != d and any(t.startswith(a + "/") for a in tags):
            k.shown[t] = d
            redo.add(d)
    listing = {k.shown[t]: fresh[t][1] if k.shown[t] in redo else v for t, v in sorted(k.tags.items())}
    return _with(TagPages(index, tables.page_rows), tables).pages(tags=listing, only=redo)


def generated(b: Any, listed: tuple[list[GenPage], set[str]] | None, contents_moved: bool,
              faces: set[str]) -> list[tuple[str, str, Any]]:
    """Generated pages whose Markdown changed, as (src_uri, key, page) to render: `listed` (listed_pages), the
    .base pages when entry contents moved, the topics page when what pages show of an entry moved."""
    from .incremental import _h

    plugin, config, files = b.plugin, b.config, b.files
    pages, scope = listed if listed is not None else ([], set())
    if listed is not None:
        plugin._generated_cache = None  # its key is over all records: the next build recomputes it
    if contents_moved:
        pages += plugin.queries.base_pages(files)
    if plugin.discovery is not None and faces and any(s in faces for t in plugin.discovery.topics
                                                      for s in t["entries"]):
        pages += topics_pages(b, plugin.discovery, faces)  # it lists each topic's entries by title
    core = {src for src in plugin.generated if _core(src)} & scope
    todo = []
    new = {p.src_uri: p for p in pages if _core(p.src_uri)}
    moved = new.keys() ^ core
    if moved:
        if any(not plugin.generated.get(s, new.get(s)).url.startswith("tags/") for s in moved) or (
                config.site_url or plugin.config.nav != "compact"):
            # a type page is in the nav; a new page would need a sitemap entry
            raise Fallback(f"generated pages appeared or went: {', '.join(sorted(moved)[:3])}")
        taken = {f.url for f in doc_pages(b)}
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
