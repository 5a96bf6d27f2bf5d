"""Link previews: beside each public entry page, `kb-preview.json` with its title and first section."""
from __future__ import annotations

import json
import re
from html import escape, unescape
from pathlib import Path

PREVIEW_JSON = "kb-preview.json"
LIMIT = 1800  # characters of HTML: a popover, not the page
HEADING = re.compile(r"<h[1-6][\s>]", re.I)
DROP = re.compile(r"<(script|style|iframe|object|embed)\b.*?</\1\s*>", re.I | re.S)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def first_section(html: str) -> str:
    """The body before the second heading (the page's H1 dropped), cut at a block boundary near LIMIT."""
    html = DROP.sub("", html).lstrip()
    if html[:3].lower() == "<h1" and (end := html.lower().find("</h1>")) >= 0:
        html = html[end + 5:]
    nxt = HEADING.search(html)
    section = (html[:nxt.start()] if nxt else html).strip()
    if len(section) <= LIMIT:
        return section
    ends = [e for e in _top_level_ends(section) if e <= LIMIT]
    if ends:
        return section[:ends[-1]].strip()
    text = re.sub(r"<[^>]+>", "", section)  # one block larger than the limit: its text, shortened
    return "<p>" + escape(unescape(text)[:LIMIT // 2].strip(), quote=False) + "…</p>"


def _top_level_ends(html: str) -> list[int]:
    """Offsets just after each top-level element of `html` closes."""
    ends: list[int] = []
    depth = 0
    for m in re.finditer(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>", html):
        closing, tag, selfclose = m.group(1), m.group(2).lower(), m.group(3)
        if tag in VOID or selfclose:
            if depth == 0:
                ends.append(m.end())
            continue
        depth += -1 if closing else 1
        if depth <= 0:
            depth = 0
            if closing:
                ends.append(m.end())
    return ends


def preview_json(title: str, kind: str, html: str) -> str:
    return json.dumps({"t": title, "y": kind, "h": first_section(html)}, ensure_ascii=False, separators=(",", ":"))


def preview_path(page_url: str) -> str:
    """Site path of a page's preview file (`a/b/` → `a/b/kb-preview.json`)."""
    return f"{page_url}{PREVIEW_JSON}" if page_url.endswith("/") or not page_url else f"{page_url}.{PREVIEW_JSON}"


def write_preview(site_dir: str, page_url: str, title: str, kind: str, html: str) -> None:
    path = Path(site_dir, preview_path(page_url))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(preview_json(title, kind, html), encoding="utf-8")
