"""The kept explorer tree after an entry is hidden or shown: its row taken out or put in, in place, where
`explorer.explorer_tree` would put it (remaking the tree lists every public entry: ~0.3 s at 10,000)."""
from __future__ import annotations

import posixpath
from bisect import insort
from typing import Any


def _order(row: list[Any]) -> tuple[str, str]:
    return row[0].lower(), row[1]  # as explorer_tree sorts a folder's rows


def toggle(tree: dict[str, Any], path: str, url: str, title: str, shown: bool) -> bool:
    """Put the plain entry at `path` into the tree (`shown`) or take it out; False when that changes the tree's
    shape beyond one row and the counts above it (a folder appears, empties or becomes a document's only row):
    then the tree is made again."""
    nodes = [tree]
    for part in posixpath.dirname(path).split("/") if "/" in path else []:
        node = next((d for d in nodes[-1]["d"] if d["n"] == part), None)
        if node is None:
            return False
        nodes.append(node)
    rows = nodes[-1]["e"]
    if shown:
        if any(r[1] == url for r in rows):
            return False
        insort(rows, [title, url], key=_order)
    else:
        at = next((i for i, r in enumerate(rows) if r[1] == url and len(r) == 2), None)
        if at is None:
            return False
        if len(nodes) > 1 and not nodes[-1]["d"] and (len(rows) == 1 or len(rows) == 2 and len(rows[1 - at]) > 2):
            return False  # the folder would go, or be folded into its one document's row
        del rows[at]
    for node in nodes:
        node["c"] += 1 if shown else -1
    return True
