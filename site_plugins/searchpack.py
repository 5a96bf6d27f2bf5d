"""A search entry's text held compressed from its page's render to the index's write: the same bytes written.

Material keeps every page's search entries (`{"location", "title", "text"}`) until `on_post_build` writes the
index, and a build kept for edits (site_plugins/fastpage.py) keeps them after it: the page's text is most of
it (~1.7 KB an entry, ~60 MB at 20,000 entries in the build process, ~3 MB per 1,000). Every writer of the index
serializes entries with `json.dumps(..., default=str)` (Material's `generate_search_index`, site_plugins/
searchout.py, followup_outputs.py), which hands a value it cannot encode to `str` and encodes what that gives in
its place: a `Packed` text's `__str__` is the text, so the file is byte-identical (tests/site/test_searchpack.py).
Short texts stay strings (compressing them saves nothing).
"""
from __future__ import annotations

import zlib
from typing import Any

MIN_CHARS = 256  # shorter: kept as it is


class Packed:
    """A text compressed (zlib level 1); `str()` gives it back."""

    __slots__ = ("data",)

    def __init__(self, text: str) -> None:
        self.data = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)

    def __str__(self) -> str:
        return zlib.decompress(self.data).decode("utf-8", "surrogatepass")

    def __reduce__(self) -> tuple[Any, ...]:  # a worker sends it to the parent as it is: still compressed
        return (_unpickle, (self.data,))


def _unpickle(data: bytes) -> Packed:
    p = Packed.__new__(Packed)
    p.data = data
    return p


def pack(entries: list[Any]) -> None:
    """Each entry's long `text` compressed in place (entries that are not dicts, or short texts, left alone)."""
    for e in entries:
        if type(e) is dict:
            text = e.get("text")
            if type(text) is str and len(text) >= MIN_CHARS:
                e["text"] = Packed(text)


def packable(config: Any) -> set[str]:
    """Names of the search plugins whose every index writer passes `default=str` (Material's: MkDocs' own
    `search` plugin writes with plain `json.dumps`, and keeps its strings)."""
    from material.plugins.search.plugin import SearchPlugin

    return {name for name, p in config.plugins.items() if isinstance(p, SearchPlugin)}
