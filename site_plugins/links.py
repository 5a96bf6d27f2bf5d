"""Links manager: turns wikilinks, embeds, mentions and tags in a page's Markdown into real links.

Finding spans and resolving targets is the core's job (kbsync.derive.spans, kbsync.resolve);
this module only decides what HTML each resolved span becomes.
"""
from __future__ import annotations

import html
import logging
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from kbsync.anchors import has_anchor
from kbsync.derive.blocks import block_source
from kbsync.derive.links import anchor_id
from kbsync.derive.spans import LinkSpan, scan
from kbsync.paths import heading_anchor

from .index import SiteIndex, relative, tag_url
from .markdown.obsidian import FENCE, strip_comments

log = logging.getLogger("mkdocs.plugins.kb")
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp"}
AUDIO_EXT = {".mp3", ".wav", ".ogg", ".m4a", ".flac"}
VIDEO_EXT = {".mp4", ".webm", ".mov"}
SIZE = re.compile(r"^(\d+)(?:x(\d+))?$")
ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")


def link_spans(markdown: str) -> list[LinkSpan]:
    """The core's spans (nothing inside code or comments)."""
    return scan(markdown).spans


def esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class PageLinks:
    """What rendering one page touched: for incremental rebuild keys and reports."""

    embeds: set[str] = field(default_factory=set)
    broken: list[tuple[int, str]] = field(default_factory=list)


class LinkManager:
    """Rewrites one page's Markdown; resolves through the core Resolver built from the store."""

    def __init__(self, index: SiteIndex, docs_dir: str, *, tag_pages: bool = True, embed_depth: int = 4,
                 broken: str = "warn") -> None:
        self.index = index
        self.docs_dir = Path(docs_dir)
        self.tag_pages = tag_pages
        self.embed_depth = embed_depth
        self.broken_level = broken
        self.pages: dict[str, PageLinks] = {}
        self._bodies: dict[str, str] = {}

    # -- entry point -------------------------------------------------------------------------
    def render(self, markdown: str, src_path: str, page_url: str, *, line_offset: int = 0) -> str:
        """Markdown of the page at `src_path` (served at `page_url`) with every link made real."""
        info = self.pages.setdefault(src_path, PageLinks())
        slug = self.index.by_path[src_path]["slug"] if src_path in self.index.by_path else None
        return self._render(strip_comments(markdown), src_path, page_url, [slug] if slug else [], info, line_offset)

    def _render(self, md: str, src: str, page_url: str, stack: list[str], info: PageLinks, offset: int) -> str:
        spans = link_spans(md)
        if not spans:
            return md
        out: list[str] = []
        pos = 0
        for s in spans:
            if s.start < pos:
                continue
            if s.form == "wikilink" and s.embed and self._alone_on_line(md, s):
                ls = md.rfind("\n", 0, s.start) + 1
                le = md.find("\n", s.end)
                le = len(md) if le < 0 else le
                block = self._embed_block(s, md[ls:s.start], src, page_url, stack, info, offset)
                if block is not None:
                    out.append(md[pos:ls])
                    out.append(block)
                    pos = le
                    continue
            out.append(md[pos:s.start])
            out.append(self._span(s, src, page_url, info, offset))
            pos = s.end
        out.append(md[pos:])
        return "".join(out)

    # -- one span ----------------------------------------------------------------------------
    def _span(self, s: LinkSpan, src: str, page_url: str, info: PageLinks, offset: int) -> str:
        if s.form == "tag":
            if not self.tag_pages:
                return s.raw
            return f'<a class="kb-tag" href="{esc(relative(tag_url(s.target), page_url))}">{esc(s.raw)}</a>'
        if s.form == "mention":
            res = self.index.resolver.person(s.target, src)
            if res is None or not self.index.is_public(res.slug):
                return esc(s.raw)
            href = relative(self.index.page_url(res.slug), page_url)  # type: ignore[arg-type]
            return f'<a class="kb-mention" href="{esc(href)}">{esc(s.raw)}</a>'
        label = s.label or (s.target + (f" › {s.anchor}" if s.anchor else "") if s.target else (s.anchor or ""))
        res = self.index.resolver.resolve(s.target, src, md_link=s.form == "mdlink")
        if res is None:
            return self._broken(s, src, label, info, offset)
        if res.attachment:
            return self._attachment(s, res.attachment, page_url, label)
        slug = res.slug
        if not self.index.is_public(slug):
            return esc(label)  # hidden target: the text stays, the link (and anything about it) does not
        frag = anchor_id(s.anchor)
        if frag and not has_anchor(self.index.records.get(slug, {}), frag):  # no such heading or ^block
            return self._broken(s, src, label, info, offset)
        if not s.target:  # [[#Heading]]
            return f'<a class="kb-link" href="#{esc(frag or "")}">{esc(label)}</a>'
        href = relative(self.index.page_url(slug), page_url) + (f"#{frag}" if frag else "")  # type: ignore[arg-type]
        klass = "kb-link kb-embed-link" if s.embed else "kb-link"
        title = esc(self.index.title(slug))  # type: ignore[arg-type]
        return f'<a class="{klass}" href="{esc(href)}" title="{title}">{esc(label)}</a>'

    def _broken(self, s: LinkSpan, src: str, label: str, info: PageLinks, offset: int) -> str:
        line = s.line + offset
        info.broken.append((line, s.raw))
        msg = f"{src}:{line}: broken link {s.raw}"
        if self.broken_level == "warn":
            log.warning(msg)
        elif self.broken_level == "info":
            log.info(msg)
        return f'<span class="kb-broken" title="Broken link: {esc(s.target)}">{esc(label)}</span>'

    def _attachment(self, s: LinkSpan, path: str, page_url: str, label: str) -> str:
        href = esc(relative(path, page_url))
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

    # -- transclusion ------------------------------------------------------------------------
    @staticmethod
    def _alone_on_line(md: str, s: LinkSpan) -> bool:
        ls = md.rfind("\n", 0, s.start) + 1
        le = md.find("\n", s.end)
        prefix, rest = md[ls:s.start], md[s.end:le if le >= 0 else len(md)]
        return not rest.strip() and not re.sub(r"[ \t>]", "", prefix)

    def _embed_block(self, s: LinkSpan, prefix: str, src: str, page_url: str, stack: list[str],
                     info: PageLinks, offset: int) -> str | None:
        """Markdown lines transcluding an entry (or its section); None: render as a plain span."""
        res = self.index.resolver.resolve(s.target, src) if s.target else None
        if res is None or res.attachment or not self.index.is_public(res.slug):
            return None
        slug: str = res.slug  # type: ignore[assignment]
        if slug in stack or len(stack) > self.embed_depth:
            return None  # recursion: a link instead of an endless transclusion
        info.embeds.add(slug)
        rec = self.index.records[slug]
        if s.anchor and not has_anchor(rec, anchor_id(s.anchor) or ""):
            return None  # rendered by _span as a broken link
        body = self._section(self._body(rec["path"]), s.anchor)
        inner = self._render(strip_comments(body), rec["path"], page_url, [*stack, slug], info, 0)
        href = relative(self.index.page_url(slug), page_url) + (f"#{anchor_id(s.anchor)}" if s.anchor else "")
        title = esc(self.index.title(slug) + (f" › {s.anchor}" if s.anchor else ""))
        # An admonition nests anywhere (lists, callouts) where raw HTML blocks would not.
        lines = ["", '!!! kb-embed ""', f'    <a class="kb-embed-title" href="{esc(href)}">{title}</a>', "",
                 *("    " + ln if ln.strip() else "" for ln in inner.strip("\n").split("\n")), ""]
        return "\n".join((prefix + ln).rstrip() if ln or prefix.strip() else "" for ln in lines)

    def _body(self, path: str) -> str:
        if path not in self._bodies:
            from kbsync.parse import parse_bytes

            try:
                self._bodies[path] = parse_bytes(path, (self.docs_dir / path).read_bytes()).body
            except OSError:
                self._bodies[path] = ""
        return self._bodies[path]

    @staticmethod
    def _section(body: str, anchor: str | None) -> str:
        """The part of `body` under the heading whose anchor matches, down to the next heading of its level."""
        if not anchor:
            return body
        if anchor.startswith("^"):  # a block embed: that block only (kbsync.derive.blocks finds it)
            return block_source(body, anchor[1:]) or ""
        want = anchor_id(anchor)
        lines = body.split("\n")
        fence = None
        start, level = None, 0
        for i, line in enumerate(lines):
            fm = FENCE.match(line)
            if fm and not fence:
                fence = fm.group(1)
                continue
            if fence:
                if line.strip().startswith(fence):
                    fence = None
                continue
            m = ATX.match(line)
            if not m:
                continue
            if start is None and heading_anchor(m.group(2)) == want:
                start, level = i, len(m.group(1))
            elif start is not None and len(m.group(1)) <= level:
                return "\n".join(lines[start:i])
        return "\n".join(lines[start:]) if start is not None else body

    # -- inline text (front-matter field values) ---------------------------------------------
    def inline_html(self, text: str, src: str, page_url: str) -> str:
        """Escaped text with its wikilinks made real (no warnings: `kb check` reports field links)."""
        out, pos = [], 0
        quiet = PageLinks()
        level, self.broken_level = self.broken_level, "ignore"
        try:
            for s in link_spans(text):
                if s.form not in ("wikilink", "mdlink") or s.start < pos:
                    continue
                out.append(esc(text[pos:s.start]))
                out.append(self._span(s, src, page_url, quiet, 0))
                pos = s.end
        finally:
            self.broken_level = level
        out.append(esc(text[pos:]))
        return "".join(out)

    # -- leftovers in the HTML ---------------------------------------------------------------
    HREF = re.compile(r'<a\s([^>]*?)href="([^"]*)"([^>]*)>(.*?)</a>', re.S)

    def fix_hrefs(self, html_text: str, src: str, page_url: str, urls: set[str]) -> str:
        """Relative hrefs MkDocs could not map (e.g. `[x](Note)` without `.md`): resolve via the core or mark broken."""
        def repl(m: re.Match[str]) -> str:
            href = m.group(2)
            if not href or href.startswith(("#", "/", "data:")) or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
                return m.group(0)
            path, _, frag = href.partition("#")
            target = posixpath.normpath(posixpath.join(page_url, path)) if path else ""
            if not path or target in urls or target + "/" in urls or target.startswith(".."):
                return m.group(0)
            from urllib.parse import unquote

            res = self.index.resolver.resolve(unquote(path), src, md_link=True)
            if res is not None and res.slug and self.index.is_public(res.slug):
                new = relative(self.index.page_url(res.slug), page_url) + (f"#{anchor_id(frag)}" if frag else "")
                return f'<a {m.group(1)}href="{esc(new)}"{m.group(3)}>{m.group(4)}</a>'
            if res is not None and res.attachment:
                return f'<a {m.group(1)}href="{esc(relative(res.attachment, page_url))}"{m.group(3)}>{m.group(4)}</a>'
            if self.broken_level == "warn":
                log.warning(f"{src}: broken link ({href})")
            return f'<span class="kb-broken" title="Broken link: {esc(unquote(path))}">{m.group(4)}</span>'

        return self.HREF.sub(repl, html_text)
