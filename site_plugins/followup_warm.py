"""Before the first edit: what follow-ups keep between edits, made from the last build while `kb serve`'s site worker
waits for one. Each piece is otherwise made by the first follow-up that needs it, inside that edit's time: at
10,000 entries the first hide of a person took 3.8 s where the next ones took 1.7 s (the listings' state 0.66 s,
the search index's JSON 0.43 s, the graph's kept state 0.22 s, typeahead rows 0.22 s, the explorer tree 0.15 s,
topic sections 0.16 s)."""
from __future__ import annotations

import logging
import time

from .fastpage import LAST, _key

log = logging.getLogger("mkdocs.plugins.kb")


def prepare(site_dir: str) -> bool:
    """Make the follow-ups' state of the last build of `site_dir` in this process; False when there is none to make
    (no build kept here, or an edit already started on it: its follow-up makes the rest, as before)."""
    b = LAST.get(_key(site_dir))
    plugin = b.plugin if b is not None else None
    if b is None or plugin is None or plugin.index is None or b.before or not plugin.dirty \
            or not plugin.config.incremental:
        return False
    from .followup_outputs import drop_pages, kept_tree, kept_typeahead, search_plugins
    from .followup_state import kept
    from .followup_topics import topics_pages
    from .graph_site import _LOCK, SITES, site_key

    t0 = time.perf_counter()
    index = plugin.index
    k = kept(b)  # as follow_up reads it: off the index as the site was rendered (b.before is empty)
    for search in search_plugins(b.config):  # no page dropped: each entry's JSON made and kept
        drop_pages(search.search_index, set())
    kept_typeahead(k, index)
    if plugin.config.explorer:
        kept_tree(k, index)
    if plugin.config.graph:
        with _LOCK:
            SITES.get(site_key(site_dir))  # the graph state the build left pending, made live
    if hasattr(plugin.discovery, "section"):  # a SiteDiscovery (a stand-in such as LaterDiscovery has no sections)
        topics_pages(b, plugin.discovery, set())
    log.info("kb: follow-ups' state prepared in %.3fs", time.perf_counter() - t0)
    return True
