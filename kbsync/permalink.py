"""Obsidian Publish's `permalink` property: the entry's site URL instead of the one its path gives."""
from __future__ import annotations

from .parse import Parsed
from .paths import slug_segment, url_for


def entry_url(parsed: Parsed, slug: str) -> str:
    """`/<permalink>/` when the front matter sets a usable one (a warning with `path:line` when not), else
    the path URL. Segments are slugged as paths are, so `permalink: Tasks/Start Here` → `/tasks/start-here/`."""
    value = parsed.fields.get("permalink")
    if value is None:
        return url_for(slug)
    segs = [slug_segment(s) for s in str(value).strip().strip("/").split("/")] if isinstance(value, str) else []
    if not segs or any(not s or s in (".", "..") for s in segs):
        parsed.problem(parsed.lines.get("permalink", 1), "schema",
                       f"`permalink` should be a URL path like `guide/start`, not {value!r}; the path URL is used",
                       level="warning")
        return url_for(slug)
    return url_for("/".join(segs))
