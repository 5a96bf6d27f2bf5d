"""Links in a page's HTML rather than its Markdown: attachments' media tags, hrefs and srcs MkDocs left unmapped."""
from __future__ import annotations

import html
import logging
import posixpath
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from kbsync.derive.links import anchor_id
from kbsync.derive.spans import LinkSpan

from .escaping import esc
from .index import relative

if TYPE_CHECKING:
    from .links import LinkManager

log = logging.getLogger("mkdocs.plugins.kb")
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp"}
AUDIO_EXT = {".mp3", ".wav", ".ogg", ".m4a", ".flac"}
VIDEO_EXT = {".mp4", ".webm", ".mov"}
SIZE = re.compile(r"^(\d+)(?:x(\d+))?$")
HREF = re.compile(r'<a\s([^>]*?)href=("[^"]*"|\'[^\']*\')([^>]*)>(.*?)</a>', re.S)  # raw HTML may use ' too
SRC = re.compile(r'<(?:img|audio|video|source)\b[^>]*?\ssrc=("[^"]*"|\'[^\']*\')', re.I)


def attachment_href(path: str, page_url: str) -> str:
    """Relative, percent-encoded URL of an attachment: `R&D plan.pdf`, `q?x.pdf`, `#1.png` link to the file itself."""
    return quote(relative(path, page_url), safe="/")


def attachment_html(s: LinkSpan, path: str, page_url: str, label: str) -> str:
    """A link to an attachment, or (embedded) its image, audio or video tag."""
    href = esc(attachment_href(path, page_url))
    ext = posixpath.splitext(path)[1].lower()
    if not s.embed:
        return f'<a class="kb-attachment" href="{href}">{esc(s.label or posixpath.basename(path))}</a>'
    size = SIZE.match(s.label or "") if s.form == "wikilink" else None
    alt = esc(posixpath.basename(path) if size or not s.label else s.label)
    if ext in IMAGE_EXT:
        dims = ""
        if size:
            dims = f' width="{size.group(1)}"' + (f' height="{size.group(2)}"' if size.group(2) else "")
        return f'<img class="kb-image" src="{href}" alt="{alt}"{dims} loading="lazy">'
    if ext in AUDIO_EXT:
        return f'<audio class="kb-audio" controls src="{href}"></audio>'
    if ext in VIDEO_EXT:
        return f'<video class="kb-video" controls src="{href}"></video>'
    return f'<a class="kb-attachment" href="{href}">{alt}</a>'


def fix_hrefs(links: LinkManager, html_text: str, src: str, page_url: str, urls: set[str]) -> str:
    """Relative hrefs MkDocs could not map (e.g. `[x](Note)` without `.md`): resolve via the core or mark broken."""
    index = links.index

    def repl(m: re.Match[str]) -> str:
        href = html.unescape(m.group(2)[1:-1])
        if not href or href.startswith(("#", "/", "data:")) or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
            return m.group(0)
        path, _, frag = href.partition("#")
        target = posixpath.normpath(posixpath.join(page_url, path)) if path else ""
        if not path or target in urls or target + "/" in urls or target.startswith(".."):
            return m.group(0)
        res = index.resolver.resolve(unquote(path), src, md_link=True)
        if res is not None and res.slug and index.is_public(res.slug):
            new = relative(index.page_url(res.slug), page_url) + (f"#{anchor_id(frag)}" if frag else "")
            return f'<a {m.group(1)}href="{esc(new)}"{m.group(3)}>{m.group(4)}</a>'
        if res is not None and res.attachment:
            return f'<a {m.group(1)}href="{esc(attachment_href(res.attachment, page_url))}"{m.group(3)}>{m.group(4)}</a>'
        if links.broken_level == "warn":
            log.warning(f"{src}: broken link ({href})")
        return f'<span class="kb-broken" title="Broken link: {esc(unquote(path))}">{m.group(4)}</span>'

    html_text = HREF.sub(repl, html_text)
    return SRC.sub(lambda m: _fix_src(links, m, src, page_url, urls), html_text) if "src=" in html_text else html_text


def _fix_src(links: LinkManager, m: re.Match[str], src: str, page_url: str, urls: set[str]) -> str:
    """`<img src="x.png">` in a page's raw HTML is relative to the entry's file, not its URL: point it at the file."""
    value = m.group(1)
    path = html.unescape(value[1:-1]).partition("#")[0].partition("?")[0]
    if not path or path.startswith("/") or re.match(r"^[a-z][a-z0-9+.-]*:", path, re.I):
        return m.group(0)
    target = posixpath.normpath(posixpath.join(page_url, unquote(path)))
    if target in urls or quote(target, safe="/") in urls:
        return m.group(0)
    res = links.index.resolver.resolve(unquote(path), src, md_link=True)
    if res is None or not res.attachment:
        return m.group(0)
    start = m.start(1) - m.start(0)
    whole = m.group(0)
    return whole[:start] + f'"{esc(attachment_href(res.attachment, page_url))}"' + whole[start + len(value):]
