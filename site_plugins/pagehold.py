"""A page's Markdown and HTML held compressed between MkDocs' read loop and its render loop.

MkDocs reads and converts every page before it renders any, so each page's Markdown and HTML stay in memory
between the two loops: in a parallel build (site_plugins/parallel.py) each process holds its share, ~6 MB per
1,000 entries at 10,000, in the build process and in each page worker alike. Compressed after the read (zlib
level 1: several times smaller, ~10 ms a 1,000 pages) and restored just before the page renders, the page
renders from exactly the text it was read to (tests/site/test_pagehold.py).
"""
from __future__ import annotations

import zlib
from typing import Any

_HELD = "_kb_held"  # the page's attribute holding (compressed HTML, compressed Markdown or None)


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def _unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8", "surrogatepass")


def hold(page: Any) -> None:
    """After the page was read: its HTML and Markdown compressed, `content` and `markdown` None until `restore`."""
    content, markdown = page.content, page.markdown
    if content is None:
        return
    setattr(page, _HELD, (_pack(content), None if markdown is None else _pack(markdown)))
    page.content = page.markdown = None


def restore(page: Any) -> None:
    """Before the page renders: its HTML and Markdown back as `hold` found them (nothing held: nothing done)."""
    held = page.__dict__.pop(_HELD, None)
    if held is None:
        return
    page.content = _unpack(held[0])
    page.markdown = None if held[1] is None else _unpack(held[1])


def is_held(page: Any) -> bool:
    return _HELD in page.__dict__
