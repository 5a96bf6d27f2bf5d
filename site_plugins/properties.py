"""Obsidian/Publish properties that act on the page (classes, meta tags) instead of being listed as data."""
from __future__ import annotations

import re
from typing import Any

from .index import relative
from .links import esc

# Shown nowhere in the metadata strip: they change the page itself (publish: false already makes a draft).
PAGE_PROPERTIES = frozenset({"cssclasses", "cssclass", "publish", "permalink", "description", "image", "cover"})
_CLASS = re.compile(r"[^\w-]+")
_ARTICLE = re.compile(r'<article class="(md-content__inner[^"]*)"')


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float)]
    return []


def css_classes(fields: dict[str, Any]) -> list[str]:
    """`cssclasses` (or the older `cssclass`) as safe class names."""
    out = [_CLASS.sub("-", c).strip("-") for key in ("cssclasses", "cssclass") for c in _strings(fields.get(key))]
    return list(dict.fromkeys(c for c in out if c))


def meta_tags(fields: dict[str, Any], page_url: str, attachment_url: Any = None) -> str:
    """`description` and `image`/`cover` as description and Open Graph meta tags."""
    tags = []
    desc = fields.get("description")
    if isinstance(desc, str) and desc.strip():
        d = esc(" ".join(desc.split()))
        tags += [f'<meta name="description" content="{d}">', f'<meta property="og:description" content="{d}">']
    image = fields.get("image") or fields.get("cover")
    if isinstance(image, str) and image.strip():
        src = image.strip().removeprefix("[[").removesuffix("]]").removeprefix("![[")
        path = attachment_url(src) if attachment_url else None
        href = relative(path, page_url) if path else src
        tags.append(f'<meta property="og:image" content="{esc(href)}">')
    return "".join(tags)


def page_html(html: str, index: Any, slug: str, page_url: str) -> str:
    """`apply` for the entry `slug` of a SiteIndex: an `image` resolves like an embed, from the entry's folder."""
    rec = index.records[slug]

    def attachment(target: str) -> str | None:
        res = index.resolver.resolve(target, rec["path"])
        return res.attachment if res is not None else None

    return apply(html, rec.get("fields") or {}, page_url, attachment)


def apply(html: str, fields: dict[str, Any], page_url: str, attachment_url: Any = None) -> str:
    """Page HTML with the entry's `cssclasses` on its article and its meta tags in <head>."""
    classes = css_classes(fields)
    if classes:
        html = _ARTICLE.sub(lambda m: f'<article class="{m.group(1)} {" ".join(classes)}"', html, count=1)
    tags = meta_tags(fields, page_url, attachment_url)
    if tags:
        if 'name="description"' in tags:  # one description: the entry's wins over the site's
            html = re.sub(r'<meta name="description" content="[^"]*">', "", html, count=1)
        head = html.find("</head>")
        html = html[:head] + tags + html[head:] if head >= 0 else html
    return html


def authors_html(rec: dict[str, Any]) -> str:
    """Git authors, for the metadata strip."""
    names = [str(a) for a in rec.get("authors") or [] if a]
    if not names:
        return ""
    return f'<span class="kb-authors" title="authors (git)">by {esc(", ".join(names))}</span>'


def redirect_file(config: Any, slug: str, url: str) -> Any:
    """A page at the path URL `slug/` that sends browsers (and search engines, via canonical) to `url`."""
    from mkdocs.structure.files import File

    href = esc(relative(url, f"{slug}/"))
    html = (f'<!doctype html><html><head><meta charset="utf-8"><title>Redirecting…</title>'
            f'<link rel="canonical" href="{href}"><meta http-equiv="refresh" content="0; url={href}">'
            f'<meta name="robots" content="noindex"></head><body><a href="{href}">{href}</a></body></html>')
    return File.generated(config, f"{slug}/index.html", content=html)
