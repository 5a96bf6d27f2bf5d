"""A dirty build's search index without the pages gone since the last one (hidden, deleted)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def prune_search(plugin: Any, config: Any) -> None:
    """Dirty builds merge the previous search index: drop pages that no longer exist (hidden, deleted)."""
    if plugin.files is None:
        return
    valid = {f.url for f in plugin.files.documentation_pages()}
    before = plugin._searched.get(config.site_dir)
    plugin._searched[config.site_dir] = valid
    if before is not None and before <= valid:
        return  # no page went away since the last index: nothing to drop (and 10k entries not to rewrite)
    keep = lambda e: str(e.get("location", "")).split("#")[0] in valid  # noqa: E731
    kept_all, prevs = True, 0
    for name in ("material/search", "search"):
        prev = getattr(config.plugins.get(name), "search_index_prev", None)
        if prev is not None:
            kept = [e for e in prev.entries if keep(e)]
            kept_all, prevs = kept_all and len(kept) == len(prev.entries), prevs + 1
            prev.entries = kept
    if before is None and prevs and kept_all:
        # This process's first build wrote the index from these entries alone (nothing merged from before), and
        # none goes: not read back (parsed whole, that was +117 MB at 10,000 entries, ~1 GB at 100,000)
        return
    path = Path(config.site_dir, "search", "search_index.json")
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "docs" in data:
            data["docs"] = [d for d in data["docs"] if keep(d)]
            path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
