"""Discovery panels patched into a written page instead of rendering it again.

After an edit, discovery moves the panels (keywords and topics, unlinked mentions, related, backlink contexts)
of thousands of pages whose own content did not change (hiding one entry moves related lists site-wide).
When a page was written with the render key it has now except for its panels (its key, less the panels, with
the old discovery's panels is the key it was written with), each panel's HTML as the old discovery printed it
is replaced by the new one's in the written file: what rendering it again would give, since the panels are
added after the search plugin indexed the body (plugin.on_page_context) and nothing else on the page reads them.
A panel that was empty has no place to patch; a page whose panel text is not found exactly once is rendered.
"""
from __future__ import annotations

from typing import Any

from .incremental import _h
from .panels import BacklinksPanel
from .publish import write_atomic


def panel_key(plugin: Any, f: Any, config: Any, discovery: Any) -> tuple[str, str]:
    """(the page's render key with `discovery`'s panels, its key now): `plugin.page_key` is the second."""
    slug = plugin.entry_files[f.src_uri]
    saved, plugin.discovery = plugin.discovery, None
    try:
        base = plugin.page_key(f, config)  # without discovery: the page less its panels
    finally:
        plugin.discovery = saved
    return _h([base, discovery.key(slug)]), plugin.page_key(f, config)


def _panels(plugin: Any, found: Any, slug: str, url: str) -> list[str]:
    """The HTML of each panel discovery moves, as plugin.on_page_context prints it with `found`."""
    out = [found.header_html(slug, url)]
    if plugin.config.backlinks:
        out.append(BacklinksPanel(plugin.index, lambda s: found.of(s)["contexts"]).html(slug, url))
        out.append(found.unlinked_html(slug, url))
    out.append(found.related_html(slug, url))
    return out


def patch(plugin: Any, f: Any, old: Any, new: Any) -> bool:
    """Replace the panels `old` printed in `f`'s written page by `new`'s; False (nothing written) when a page
    render is needed instead."""
    slug = plugin.entry_files[f.src_uri]
    return _patch(f, _panels(plugin, old, slug, f.url), _panels(plugin, new, slug, f.url))


def patch_named(b: Any, todo: list[tuple[str, str, Any]], old: dict[str, Any], flipped: set[str],
                named: set[str], patched: list[str]) -> list[tuple[str, str, Any]]:
    """Of the pages to render after an edit, patch those of `named` (pages whose panels alone show an updated
    entry) written as the site stood before it: their key, less the panels, as now, and their panels as the
    discovery prints them with the updated entries' records as they were (`old`) and entries `flipped` (hidden
    or shown) as public as they were. Returns the pages left to render."""
    plugin, config = b.plugin, b.config
    found, index = plugin.discovery, plugin.index
    keys = plugin.cache.keys.setdefault(config.site_dir, {})
    now = {s: index.records[s] for s in old}
    was_public = {s: index.is_public(s) for s in flipped}
    rest = []
    for src, key, page in todo:
        slug = plugin.entry_files.get(src)
        if slug not in named or found is None:
            rest.append((src, key, page))
            continue
        saved, plugin.discovery = plugin.discovery, None
        try:
            base = plugin.page_key(page.file, config)
        finally:
            plugin.discovery = saved
        _state(index, old, {s: not p for s, p in was_public.items()})  # as the page was written
        try:
            was_key, was = _h([base, found.key(slug)]), _panels(plugin, found, slug, page.file.url)
        finally:
            _state(index, now, was_public)
        if keys.get(src) == was_key and _patch(page.file, was, _panels(plugin, found, slug, page.file.url)):
            keys[src] = key
            patched.append(src)
        else:
            rest.append((src, key, page))
    return rest


def _state(index: Any, records: dict[str, Any], public: dict[str, bool]) -> None:
    """Put `records` in the index and make entries public or not as `public` says (what panels read)."""
    index.records.update(records)
    for s, p in public.items():
        (index.public.add if p else index.public.discard)(s)


def _patch(f: Any, old: list[str], new: list[str]) -> bool:
    try:
        with open(f.abs_dest_path, encoding="utf-8") as fh:
            html = fh.read()
    except OSError:
        return False
    for was, now in zip(old, new, strict=True):
        if was == now:
            continue
        if not was or html.count(was) != 1:  # no place to put it, or not the page we think it is
            return False
        html = html.replace(was, now)
    write_atomic(html.encode("utf-8"), f.abs_dest_path)
    return True
