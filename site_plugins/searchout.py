"""Material's search_index.json written one entry at a time: the same bytes, without the whole index as one string.

Material's search plugin serialises its index with one `json.dumps` and encodes that to bytes: at 100,000
entries two copies of ~250 MB held at once, at the end of the build when memory peaks. Here each entry is
dumped with the same arguments and written as it is made (the C encoder per entry; the pure-Python
`iterencode` would be several times slower), into a temporary file renamed over the old one.
"""
from __future__ import annotations

import json
import os
import tempfile
from types import MethodType
from typing import Any

from material.plugins.search.plugin import SearchIndex, SearchPlugin

_DUMPS: dict[str, Any] = {"separators": (",", ":"), "default": str}  # as Material's generate_search_index
_MATERIAL = SearchPlugin.on_post_build


def install(plugins: Any) -> None:
    """Route the search plugins' index writing through `on_post_build` below. MkDocs registered their handlers
    as bound methods when it loaded them (before any on_config), so those are swapped in its event list."""
    handlers = plugins.events.get("post_build", [])
    for i, h in enumerate(handlers):
        if getattr(h, "__func__", None) is _MATERIAL:
            handlers[i] = MethodType(on_post_build, h.__self__)


def on_post_build(self: SearchPlugin, *, config: Any) -> None:
    """Material's on_post_build, with the index streamed to the file."""
    if not self.config.enabled:
        return
    path = os.path.join(config.site_dir, "search", "search_index.json")
    settings, docs = index_parts(self.search_index, self.search_index_prev)
    write_index(path, settings, docs)
    if self.is_dirty:
        self.search_index_prev = self.search_index


def index_parts(index: SearchIndex, prev: SearchIndex | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(config, docs) as Material's `generate_search_index` puts them in the file (its merge with `prev` too)."""
    settings = {key: index.config[key] for key in ["lang", "separator", "pipeline", "fields"]}
    if prev and index.entries:  # a dirty reload: this page's entries replace its previous ones
        where = index.entries[0]["location"]
        index.entries = [e for e in prev.entries if not e["location"].startswith(where)] + index.entries
    if prev and not index.entries:
        index.entries = prev.entries
    return settings, index.entries


def write_index(path: str, settings: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    """`json.dumps({"config": settings, "docs": docs}, **_DUMPS)` as UTF-8, written entry by entry, atomically."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".kb-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write('{"config":' + json.dumps(settings, **_DUMPS) + ',"docs":[')
            for i, doc in enumerate(docs):
                f.write(("," if i else "") + json.dumps(doc, **_DUMPS))
            f.write("]}")
        os.chmod(tmp, 0o644)  # as publish.write_atomic: mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
