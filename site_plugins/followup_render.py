"""Re-rendering the pages a follow-up found changed, from the last build's state: render keys, what
attachments each page points to, and the search index, patched for those pages alone."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .fastpage import LastBuild, doc_pages
from .followup_outputs import patch_search_index, search_plugins
from .followup_read import Fallback


@dataclass
class FollowUp:
    """What a targeted update did."""

    rendered: list[str] = field(default_factory=list)  # src_uris re-rendered
    patched: list[str] = field(default_factory=list)  # src_uris whose discovery panels were patched in place
    candidates: int = 0
    seconds: float = 0.0
    first: float | None = None  # perf_counter() when the edited pages were published (a page hidden: gone)


def render(b: LastBuild, todo: list[tuple[str, str, Any]], out: FollowUp, dropped: bool = False,
           stop: Any = None, left: set[str] | None = None, slug_of: Any = None, search: bool = True) -> None:
    """Render the pages and update the render keys, the search index and what attachments pages point to
    (`search` false: their search entries stay appended, for a later call's patch to write)."""
    from mkdocs.commands.build import _build_page, _populate_page

    if not todo and not search:  # nothing to render or write (a hidden page's first step)
        return
    plugin, config = b.plugin, b.config
    keys = plugin.cache.keys.setdefault(config.site_dir, {})
    refs = plugin.refs.setdefault(config.site_dir, {})
    searches = search_plugins(config)
    before = {p: list(p.search_index.entries) for p in searches}
    doc_files = doc_pages(b)
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
            if unpublished(b, old_refs ^ refs.get(src, set())):
                raise Fallback(f"{src} points to other attachments")
            keys[src] = key
            out.rendered.append(src)
    except BaseException:
        for plugin_, entries in before.items():  # the build that follows indexes these pages itself
            plugin_.search_index.entries = entries
        raise
    if search:
        patch_search_index(config, before, {page.url for src, _k, page in todo if src in seen}, write=dropped)


def unpublished(b: LastBuild, paths: set[str]) -> bool:
    """Does one of these site paths name a file of docs_dir that the site does not publish (or must stop to)?"""
    docs = b.config.docs_dir
    return any(os.path.isfile(os.path.join(docs, p)) and not p.endswith(".md") for p in paths)
