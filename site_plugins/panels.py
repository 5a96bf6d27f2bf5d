"""Entry page panels: metadata (type, tags, aliases, dates, fields, relations), backlinks, document nav."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .index import SiteIndex, relative, tag_url, type_url
from .links import LinkManager, esc
from .properties import PAGE_PROPERTIES, authors_html

KIND_LABEL = {"link": "Links", "mention": "Mentions", "embed": "Embeds", "chapter": "Document"}


def _a(href: str, text: str, klass: str = "") -> str:
    k = f' class="{klass}"' if klass else ""
    return f'<a{k} href="{esc(href)}">{esc(text)}</a>'


class MetadataPanel:
    """Compact definition strip shown under the title of every entry page."""

    def __init__(self, index: SiteIndex, links: LinkManager, *, tag_pages: bool, type_pages: bool) -> None:
        self.index, self.links = index, links
        self.tag_pages, self.type_pages = tag_pages, type_pages

    def html(self, slug: str, page_url: str) -> str:
        rec = self.index.records[slug]
        rows: list[tuple[str, str]] = []
        kind = str(rec.get("type") or "note")
        chips = [_a(relative(type_url(kind), page_url), kind, "kb-type") if self.type_pages
                 else f'<span class="kb-type">{esc(kind)}</span>']
        for t in rec.get("tags") or []:
            chips.append(_a(relative(tag_url(str(t)), page_url), f"#{t}", "kb-tag") if self.tag_pages
                         else f'<span class="kb-tag">#{esc(str(t))}</span>')
        dates = []
        for key in ("created", "updated"):
            if rec.get(key):
                dates.append(f'<span class="kb-date" title="{key}">{key} {esc(str(rec[key])[:10])}</span>')
        if rec.get("date") and not rec.get("created"):
            dates.append(f'<span class="kb-date" title="date">{esc(str(rec["date"])[:10])}</span>')
        if rec.get("aliases"):
            rows.append(("aliases", ", ".join(esc(str(a)) for a in rec["aliases"])))
        relations = self.index.relations(slug)
        for key, value in (rec.get("fields") or {}).items():
            if key in relations or key in PAGE_PROPERTIES:  # page properties act on the page instead
                continue
            rows.append((key, self._value(value, rec["path"], page_url)))
        for key, targets in relations.items():
            rows.append((key, ", ".join(_a(relative(self.index.page_url(t), page_url), self.index.title(t), "kb-link")
                                        for t in targets)))
        head = " ".join(chips + dates + [authors_html(rec)]).strip()
        body = "".join(f"<dt>{esc(str(k))}</dt><dd>{v}</dd>" for k, v in rows)
        return (f'<div class="kb-meta"><div class="kb-chips">{head}</div>'
                + (f'<dl class="kb-fields">{body}</dl>' if body else "") + "</div>")

    def _value(self, value: Any, src: str, page_url: str) -> str:
        if isinstance(value, list):
            return ", ".join(self._value(v, src, page_url) for v in value)
        if isinstance(value, dict):
            return esc(json.dumps(value, ensure_ascii=False, default=str))
        if isinstance(value, bool):
            return "yes" if value else "no"
        return self.links.inline_html(str(value), src, page_url)


class BacklinksPanel:
    """Backlinks grouped by kind (link, mention, embed, relation name), public sources only."""

    def __init__(self, index: SiteIndex, contexts: Callable[[str], dict[tuple[str, str], str]] | None = None) -> None:
        self.index = index
        self.contexts = contexts  # slug -> {(source, kind): the sentence around the link}, public sources only

    def html(self, slug: str, page_url: str) -> str:
        groups = self.index.backlinks(slug)
        ctx = self.contexts(slug) if self.contexts is not None else {}
        total = len({s for v in groups.values() for s in v})
        parts = [f'<div class="kb-backlinks" data-count="{total}"><div class="kb-panel-title">Backlinks '
                 f'<span class="kb-count">{total}</span></div>']
        if not groups:
            parts.append('<p class="kb-empty">No other entry links here.</p>')
        for kind, sources in groups.items():
            label = KIND_LABEL.get(kind, kind)
            items = "".join(f"<li>{_a(relative(self.index.page_url(s), page_url), self.index.title(s))}"
                            + (f'<span class="kb-bl-context">{esc(ctx[(s, kind)])}</span>' if (s, kind) in ctx else "")
                            + "</li>" for s in sources)
            parts.append(f'<div class="kb-bl-group" data-kind="{esc(kind)}"><span class="kb-bl-kind">{esc(label)} '
                         f'<span class="kb-count">{len(sources)}</span></span><ul>{items}</ul></div>')
        parts.append("</div>")
        return "".join(parts)


class DocumentPanel:
    """Documents: chapter previous/next and the document's table of contents."""

    def __init__(self, index: SiteIndex) -> None:
        self.index = index

    def chapters(self, doc: str) -> list[str]:
        return [c for c in self.index.records.get(doc, {}).get("chapters") or [] if self.index.is_public(c)]

    def document_of(self, slug: str) -> str | None:
        rec = self.index.records[slug]
        if rec.get("chapters"):
            return slug
        doc = rec.get("document")
        return doc if self.index.is_public(doc) else None

    def toc_html(self, slug: str, page_url: str) -> str:
        doc = self.document_of(slug)
        if not doc:
            return ""
        chs = self.chapters(doc)
        cur = ' class="kb-current"'
        items = "".join(f"<li{cur if c == slug else ''}>"
                        f"{_a(relative(self.index.page_url(c), page_url), self.index.title(c))}</li>" for c in chs)
        head = _a(relative(self.index.page_url(doc), page_url), self.index.title(doc))
        return (f'<nav class="kb-doc-toc" aria-label="Document contents"><div class="kb-panel-title">{head}'
                f' <span class="kb-count">{len(chs)} chapters</span></div><ol>{items}</ol></nav>')

    def prevnext_html(self, slug: str, page_url: str) -> str:
        doc = self.document_of(slug)
        if not doc or doc == slug and not self.chapters(doc):
            return ""
        seq = [doc, *self.chapters(doc)]
        if slug not in seq:
            return ""
        i = seq.index(slug)
        prev = seq[i - 1] if i > 0 else None
        nxt = seq[i + 1] if i + 1 < len(seq) else None
        out = ['<nav class="kb-prevnext" aria-label="Chapters">']
        if prev:
            out.append(_a(relative(self.index.page_url(prev), page_url), "← " + self.index.title(prev), "kb-prev"))
        if nxt:
            out.append(_a(relative(self.index.page_url(nxt), page_url), self.index.title(nxt) + " →", "kb-next"))
        out.append("</nav>")
        return "".join(out)
