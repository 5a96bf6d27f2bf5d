"""The site-wide outputs a targeted update patches: the search index (per re-rendered page) and the JSON files
built from the whole index (graph, explorer, typeahead), written only when their content changed."""
from __future__ import annotations

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


def patch_search_index(config: Any, before: dict[Any, list[Any]], urls: set[str], write: bool = False) -> None:
    """Replace the re-rendered pages' entries in each search index (the rest as the last build left it); `write`:
    write it even when no page was re-rendered (a page was dropped from it)."""
    for plugin, entries in before.items():
        added = plugin.search_index.entries[len(entries):]
        if not urls and not write:
            plugin.search_index.entries = entries
            continue
        kept = [e for e in entries if _page_of(e.get("location", "")) not in urls]
        plugin.search_index.entries = kept + added
        data = plugin.search_index.generate_search_index(None)
        write_atomic(data.encode("utf-8"), str(Path(config.site_dir, "search", "search_index.json")))
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


def patch_json_outputs(plugin: Any, config: Any) -> list[str]:
    """graph.json, explorer.json and typeahead.json from the updated index; returns the files rewritten."""
    from .explorer import EXPLORER_JSON, explorer_json
    from .graph_site import publish_graph
    from .index import typeahead_json

    index = plugin.index
    out = []
    if plugin.config.graph:  # in place: attributes at once, positions kept until the layout behind settles
        publish_graph(config.site_dir, index, incremental=True)
        out.append("graph.json")
    if plugin.config.explorer:
        plugin.explorer = explorer_json(index)
        if _write_if_changed(Path(config.site_dir, EXPLORER_JSON), plugin.explorer):
            out.append(EXPLORER_JSON)
    if _write_if_changed(Path(config.site_dir, "typeahead.json"), typeahead_json(index)):
        out.append("typeahead.json")
    return out
