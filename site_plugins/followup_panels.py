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
    url = f.url
    try:
        with open(f.abs_dest_path, encoding="utf-8") as fh:
            html = fh.read()
    except OSError:
        return False
    for was, now in zip(_panels(plugin, old, slug, url), _panels(plugin, new, slug, url), strict=True):
        if was == now:
            continue
        if not was or html.count(was) != 1:  # no place to put it, or not the page we think it is
            return False
        html = html.replace(was, now)
    write_atomic(html.encode("utf-8"), f.abs_dest_path)
    return True
