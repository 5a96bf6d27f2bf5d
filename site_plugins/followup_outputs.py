"""The site-wide outputs a targeted update patches: the search index (per re-rendered page) and the JSON files
built from the whole index (graph, explorer, typeahead), written only when their content changed."""
from __future__ import annotations

import json
import operator
from itertools import compress
from pathlib import Path
from typing import Any

from .publish import write_atomic


def search_plugins(config: Any) -> list[Any]:
    """Search plugins whose index a page render appends to (Material's; MkDocs' own has no `generate_search_index`)."""
    return [p for p in config.plugins.values()
            if isinstance(getattr(getattr(p, "search_index", None), "entries", None), list)
            and hasattr(p.search_index, "generate_search_index")]


def _page_of(location: str) -> str:
    return str(location).split("#")[0]


# id(search index) -> (it, the entries last written, their JSON, their pages): a follow-up serializes only the
# entries of the pages it re-rendered, not the whole index (tens of MB at 10,000 entries). Holding the entries
# keeps their ids.
_SERIALIZED: dict[int, tuple[Any, list[Any], list[str], list[str]]] = {}


def _entry_json(entry: Any) -> str:
    """One entry as Material's `generate_search_index` writes it inside its `docs` list."""
    return json.dumps(entry, separators=(",", ":"), default=str)


def _serialized(search: Any, entries: list[Any]) -> tuple[list[str], list[str]]:
    """Each of `entries`' JSON and page URL, reusing what the last write of this index made when they are its
    entries: as a prefix (renders since only appended: no pass in Python), else found by id."""
    known = _SERIALIZED.get(id(search))
    if known is None or known[0] is not search:
        return [_entry_json(e) for e in entries], [_page_of(e.get("location", "")) for e in entries]
    n = len(known[1])
    if len(entries) >= n and all(map(operator.is_, entries, known[1])):
        rest = entries[n:]
        return known[2] + [_entry_json(e) for e in rest], known[3] + [_page_of(e.get("location", "")) for e in rest]
    done = {id(e): (s, p) for e, s, p in zip(known[1], known[2], known[3], strict=True)}
    got = [done.get(id(e)) or (_entry_json(e), _page_of(e.get("location", ""))) for e in entries]
    return [g[0] for g in got], [g[1] for g in got]


def _keep(search: Any, entries: list[Any], urls: set[str], added: list[Any] | None = None) -> list[str]:
    """`entries` less those of the pages `urls`, then `added`, made the index's entries (their JSON kept);
    returns their JSON."""
    added = added or []
    ser, pages = _serialized(search, entries)
    mask = list(map(operator.not_, map(urls.__contains__, pages)))  # (C-level: an entry per page section)
    new = [*compress(entries, mask), *added]
    new_ser = [*compress(ser, mask), *map(_entry_json, added)]
    new_pages = [*compress(pages, mask), *(_page_of(e.get("location", "")) for e in added)]
    search.entries = new
    _SERIALIZED[id(search)] = (search, list(new), new_ser, new_pages)  # renders append to `new`
    return new_ser


def drop_pages(search: Any, urls: set[str]) -> None:
    """Take the entries of the pages `urls` out of a search index (written by the next `patch_search_index`)."""
    _keep(search, search.entries, urls)


def search_index_json(plugin: Any, entries: list[Any], ser: list[str]) -> str:
    """The index file Material writes for `entries` (their JSON given): its own head, these docs."""
    index = plugin.search_index
    saved, index.entries = index.entries, []
    try:
        empty = index.generate_search_index(None)  # {"config":{...},"docs":[]}: the config part as Material writes it
    finally:
        index.entries = saved
    head, tail = empty.rsplit("[]", 1)
    return head + "[" + ",".join(ser) + "]" + tail


def patch_search_index(config: Any, before: dict[Any, list[Any]], urls: set[str], write: bool = False) -> None:
    """Replace the re-rendered pages' entries in each search index (the rest as the last build left it); `write`:
    write it even when no page was re-rendered (a page was dropped from it)."""
    for plugin, entries in before.items():
        added = plugin.search_index.entries[len(entries):]
        if not urls and not write:
            plugin.search_index.entries = entries
            continue
        new_ser = _keep(plugin.search_index, entries, urls, added)
        write_atomic(search_index_json(plugin, plugin.search_index.entries, new_ser).encode("utf-8"),
                     str(Path(config.site_dir, "search", "search_index.json")))
        if getattr(plugin, "search_index_prev", None) is not None:  # the next dirty build merges with this one
            plugin.search_index_prev = plugin.search_index


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except OSError:
        pass
    write_atomic(text.encode("utf-8"), str(path))
    return True


def patch_json_outputs(plugin: Any, config: Any, k: Any, changed: list[str], *, explorer: bool,
                       typeahead: set[str], graph: Any = None) -> list[str]:
    """graph.json (for the `changed` slugs), explorer.json (when what it shows of an entry moved) and
    typeahead.json (the rows of `typeahead`, slugs whose row may have moved) from the updated index and the
    follow-ups' kept state `k`; returns the files rewritten. `graph`: the local graph files, made beside
    (graph_site.local_beside)."""
    from .explorer import EXPLORER_JSON, tree_json
    from .graph_site import publish_graph
    from .index import typeahead_json, typeahead_row

    index = plugin.index
    out = []
    if plugin.config.graph:  # in place: attributes at once, positions kept until the layout behind settles
        publish_graph(config.site_dir, index, incremental=True, changed=changed, local=graph)
        out.append("graph.json")
    if plugin.config.explorer and explorer:
        plugin.explorer = tree_json(kept_tree(k, index))
        if _write_if_changed(Path(config.site_dir, EXPLORER_JSON), plugin.explorer):
            out.append(EXPLORER_JSON)
    if typeahead:
        rows = kept_typeahead(k, index)
        for s in typeahead:
            if index.is_public(s):
                rows[s] = typeahead_row(index, s, k.inbound)
            else:
                rows.pop(s, None)
        if _write_if_changed(Path(config.site_dir, "typeahead.json"), typeahead_json(index, rows=rows)):
            out.append("typeahead.json")
    return out


def kept_tree(k: Any, index: Any) -> Any:
    """The kept explorer tree, made from `index` the first time it is asked for."""
    if k.tree is None:
        from .explorer import explorer_tree

        k.tree = explorer_tree(index)
    return k.tree


def kept_typeahead(k: Any, index: Any) -> dict[str, Any]:
    """The kept typeahead rows (public slug -> row), made from `index` the first time they are asked for."""
    if k.typeahead is None:
        from .index import typeahead_row

        k.typeahead = {s: typeahead_row(index, s, k.inbound) for s in index.public}
    return k.typeahead
