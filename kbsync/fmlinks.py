"""Front-matter wikilinks written without quotes: YAML reads `up: [[Note]]` as a list holding a list."""
from __future__ import annotations

from typing import Any


def _link(v: Any) -> str | None:
    """`[["Note"]]` (what YAML makes of `[[Note]]`) → `"[[Note]]"`; anything else → None."""
    if isinstance(v, list) and len(v) == 1 and isinstance(v[0], list) and len(v[0]) == 1:
        inner = v[0][0]
        if isinstance(inner, str) and inner.strip():
            return f"[[{inner.strip()}]]"
    return None


def unquoted_links(value: Any) -> Any:
    """`up: [[Note]]` → `"[[Note]]"`; a block list of such items (`- [[A]]`, strings allowed beside them) →
    a list of link strings; any other value unchanged (`[[1, 2]]` is data, not a link)."""
    one = _link(value)
    if one is not None:
        return one
    if isinstance(value, list) and any(_link(v) for v in value) and all(_link(v) or isinstance(v, str)
                                                                        for v in value):
        return [_link(v) or v for v in value]
    return value
