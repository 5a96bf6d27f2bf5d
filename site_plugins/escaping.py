"""Metadata is text: front-matter values and titles escaped before Material's templates print them as HTML."""
from __future__ import annotations

import html
from typing import Any


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def text_meta(value: Any) -> Any:
    """Every string in a page's front matter, escaped (Material prints title, author, description, tags raw)."""
    if isinstance(value, str):
        return esc(value)
    if isinstance(value, list):
        return [text_meta(v) for v in value]
    if isinstance(value, dict):
        return {k: text_meta(v) for k, v in value.items()}
    return value


def as_text(page: Any, title: str) -> None:
    """Escape a page's front matter and give it `title` as HTML-safe text (`<title>`, header, H1, nav, search)."""
    page.meta = text_meta(page.meta)
    page.meta["title"] = page.title = esc(title)
