"""Links manager: turns wikilinks, embeds, mentions and tags in a page's Markdown into real links.

Finding spans and resolving targets is the core's job (kbsync.derive.spans, kbsync.resolve): each span is
rendered from the resolution sync stored for it (the record's `links`), never resolved again; the Resolver
serves only text sync never saw (raw HTML hrefs). This module only decides what HTML each span becomes.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from kbsync.anchors import has_anchor
from kbsync.derive.links import anchor_id
from kbsync.derive.spans import LinkSpan, scan
from kbsync.resolve import Resolved

from .embed_section import section
from .escaping import esc
from .index import SiteIndex, relative, tag_url
from .links_html import attachment_html, fix_hrefs
from .markdown.obsidian import strip_comments

log = logging.getLogger("mkdocs.plugins.kb")
HEADING_START = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
SETEXT_UNDER = re.compile(r" {0,3}(?:=+|-+)[ \t]*(?:\n|$)")
QUOTE_PREFIX = re.compile(r"[ \t>]*")
LINE_REST = re.compile(r"[ \t\r\f\v]*(?:\n|$)")
# A rendered span's place in the page's Markdown (private-use characters, untouched by Markdown); `restore` puts
# its HTML back. Python-Markdown copies a whole paragraph at each inline HTML tag it stashes: inline link HTML
# made a paragraph of n links cost O(n^2) (100,000 links: minutes); a marker is plain text to it.
MARK = re.compile("\ue000(\\d+)\ue001")


def link_spans(markdown: str) -> list[LinkSpan]:
    """The core's spans (nothing inside code or comments)."""
    return scan(markdown).spans


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
        self._html: dict[str, list[str]] = {}  # page src -> its spans' HTML, by marker number
        self._marks: list[str] | None = None  # the page being rendered's list
        self._stored: dict[str, dict[str, dict]] = {}  # source path -> raw link text -> its stored link
        self.fallbacks = 0  # spans sync stored no resolution for (resolved here instead)

    # -- entry point -------------------------------------------------------------------------
    def render(self, markdown: str, src_path: str, page_url: str, *, line_offset: int = 0) -> str:
        """Markdown of the page at `src_path` (served at `page_url`) with every link made real."""
        info = self.pages.setdefault(src_path, PageLinks())
        slug = self.index.by_path[src_path]["slug"] if src_path in self.index.by_path else None
        self._marks = self._html[src_path] = []
        try:
            return self._render(strip_comments(markdown), src_path, page_url, [slug] if slug else [], info,
                                line_offset)
        finally:
            self._marks = None

    def restore(self, html_text: str, src_path: str) -> str:
        """The page's HTML with every span marker replaced by the span's HTML (one pass)."""
        spans = self._html.pop(src_path, None)
        if not spans or "\ue000" not in html_text:
            return html_text
        return MARK.sub(lambda m: spans[int(m.group(1))] if int(m.group(1)) < len(spans) else "", html_text)

    def _render(self, md: str, src: str, page_url: str, stack: list[str], info: PageLinks, offset: int) -> str:
        spans = link_spans(md)
        if not spans:
            return md
        out: list[str] = []
        pos = 0
        ls, seen = 0, 0  # start of the current span's line, found incrementally (linear on one long line)
        heading_at = -1, False  # (line start, is that line a heading), computed once per line
        for s in spans:
            if s.start < pos:
                continue
            nl = md.rfind("\n", seen, s.start)
            if nl >= 0:
                ls = nl + 1
            seen = s.start
            if heading_at[0] != ls:
                heading_at = ls, self._heading_line(md, ls)
            if s.form == "wikilink" and s.embed and self._alone_on_line(md, s, ls):
                le = md.find("\n", s.end)
                le = len(md) if le < 0 else le
                block = self._embed_block(s, md[ls:s.start], src, page_url, stack, info, offset)
                if block is not None:
                    out.append(md[pos:ls])
                    out.append(block)
                    pos = seen = le
                    continue
            out.append(md[pos:s.start])
            html_span = self._span(s, src, page_url, info, offset)
            marks = self._marks
            if marks is not None and not heading_at[1]:  # headings keep HTML: their text names the toc and anchors
                marks.append(html_span)
                html_span = f"\ue000{len(marks) - 1}\ue001"
            out.append(html_span)
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
            res = self.resolved(s, src)
            if res is None or not self.index.is_public(res.slug):
                return esc(s.raw)
            href = relative(self.index.page_url(res.slug), page_url)  # type: ignore[arg-type]
            return f'<a class="kb-mention" href="{esc(href)}">{esc(s.raw)}</a>'
        label = s.label or (s.target + (f" › {s.anchor}" if s.anchor else "") if s.target else (s.anchor or ""))
        res = self.resolved(s, src)
        if res is None:
            return self._broken(s, src, label, info, offset)
        if res.attachment:
            return self._attachment(s, res.attachment, page_url, label)
        slug = res.slug
        if not self.index.is_public(slug):
            return esc(label)  # hidden target: the text stays, the link (and anything about it) does not
        frag = anchor_id(s.anchor)
        if frag and slug and not has_anchor(self.index.records.get(slug, {}), frag):  # no such heading or ^block
            return self._broken(s, src, label, info, offset)
        if not s.target:  # [[#Heading]]
            return f'<a class="kb-link" href="#{esc(frag or "")}">{esc(label)}</a>'
        href = relative(self.index.page_url(slug), page_url) + (f"#{frag}" if frag else "")  # type: ignore[arg-type]
        klass = "kb-link kb-embed-link" if s.embed else "kb-link"
        title = esc(self.index.title(slug))  # type: ignore[arg-type]
        return f'<a class="{klass}" href="{esc(href)}" title="{title}">{esc(label)}</a>'

    def resolved(self, s: LinkSpan, src: str) -> Resolved | None:
        """What sync resolved this span of the entry at `src` to (None: broken).

        A link's resolution depends only on its text and its entry's folder, so its raw text finds it
        wherever it sits in the entry (body, transcluded section, front-matter field)."""
        stored = self._stored.get(src)
        if stored is None:
            rec = self.index.by_path.get(src)
            stored = self._stored[src] = {ln["raw"]: ln for ln in rec.get("links") or []} if rec else {}
        ln = stored.get(s.raw)
        if ln is None:  # not in the store (the page's Markdown changed since sync): resolve as sync would
            self.fallbacks += 1
            if s.form == "mention":
                return self.index.resolver.person(s.target, src)
            return self.index.resolver.resolve(s.target, src, md_link=s.form == "mdlink")
        target = ln.get("target")
        if target is None:
            return None
        if ln.get("attachment"):
            return Resolved(None, target, attachment=target)
        return Resolved(target, (self.index.records.get(target) or {}).get("path", ""))

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
        return attachment_html(s, path, page_url, label)

    @staticmethod
    def _heading_line(md: str, ls: int) -> bool:
        """Is the line starting at `ls` an ATX heading, or a setext one (underlined by the next line)?"""
        if HEADING_START.match(md, ls):
            return True
        le = md.find("\n", ls)
        return le >= 0 and SETEXT_UNDER.match(md, le + 1) is not None

    # -- transclusion ------------------------------------------------------------------------
    @staticmethod
    def _alone_on_line(md: str, s: LinkSpan, ls: int) -> bool:
        """Only blanks and `>` before the span on its line (which starts at `ls`), only blanks after it."""
        m = QUOTE_PREFIX.match(md, ls, s.start)
        return m is not None and m.end() == s.start and LINE_REST.match(md, s.end) is not None

    def _embed_block(self, s: LinkSpan, prefix: str, src: str, page_url: str, stack: list[str],
                     info: PageLinks, offset: int) -> str | None:
        """Markdown lines transcluding an entry (or its section); None: render as a plain span."""
        res = self.resolved(s, src) if s.target else None
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
            from kbsync.discover import read_inside
            from kbsync.parse import parse_bytes

            try:  # the content boundary holds for transclusions too
                self._bodies[path] = parse_bytes(path, read_inside(str(self.docs_dir / path), path)).body
            except OSError:
                self._bodies[path] = ""
        return self._bodies[path]

    _section = staticmethod(section)

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
    def fix_hrefs(self, html_text: str, src: str, page_url: str, urls: set[str]) -> str:
        """Relative hrefs and srcs MkDocs could not map, resolved via the core or marked broken (links_html.py)."""
        return fix_hrefs(self, html_text, src, page_url, urls)
