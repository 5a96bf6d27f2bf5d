"""Entry tables for type and tag pages: the first rows as HTML, every other row in a per-page JSON file.

`kb-tables.js` sorts, filters, pages and hides columns over all rows; without JavaScript the first page
of rows is an ordinary table. Only public entries are ever listed (the caller passes public slugs).
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .escaping import esc
from .index import SiteIndex, relative, tag_url
from .properties import PAGE_PROPERTIES  # they act on the page (as in the metadata panel), not columns

PAGE_ROWS = 100  # rows in the HTML (and per page in the browser); a 5,000-row page stays far below 200 KB
MAX_FIELDS = 16  # field columns offered; past SHOWN_FIELDS they start hidden (the column menu shows them)
SHOWN_FIELDS = 8
ROWS_DIR = "assets/kb/rows/"  # per-page JSON; named by a hash of the page URL, so no page or tag can collide

Cell = str | list[list[str]]  # text, or links as [[text, site URL], ...]


@dataclass(frozen=True)
class Column:
    label: str
    key: str  # "title", "type", "tags", "date", "updated" or "f:<field>"
    hidden: bool = False

    def meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "key": self.key}
        if self.hidden:
            out["hidden"] = 1
        return out


@dataclass
class Table:
    """One page's table: its HTML (first rows, inert without JS) and the JSON of the remaining rows."""

    html: str
    json_path: str  # site path of the rows file, e.g. assets/kb/rows/<hash>.json
    json_text: str


def rows_path(page_url: str) -> str:
    return f"{ROWS_DIR}{hashlib.sha256(page_url.encode()).hexdigest()[:16]}.json"


def entry_date(record: dict[str, Any]) -> str:
    """The front matter's `date`, else the file's first commit (git), as YYYY-MM-DD; "" when neither exists."""
    return str(record.get("date") or record.get("created") or "")[:10]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bool):  # as the metadata panel shows it
        return "yes" if value else "no"
    text = str(value)
    return text[2:-2].split("|")[-1] if text.startswith("[[") and text.endswith("]]") else text


class TableBuilder:
    """Columns and cells of entry tables over one SiteIndex; cells are computed once per entry and column."""

    def __init__(self, index: SiteIndex, page_rows: int = PAGE_ROWS) -> None:
        self.index = index
        self.page_rows = max(1, page_rows)
        self._cells: dict[tuple[str, str], Cell] = {}  # an entry is on its type page and on each tag's page
        self._tag_urls: dict[str, str] = {}
        self._html: dict[tuple[str, str, str], str] = {}  # (slug, column, base) -> escaped cell HTML

    def columns(self, slugs: list[str], *, with_type: bool) -> list[Column]:
        counts: Counter[str] = Counter()
        for s in slugs:
            counts.update(k for k in self.index.records[s].get("fields") or {} if k not in PAGE_PROPERTIES)
        fields = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_FIELDS]]
        return [Column("Title", "title"), *([Column("Type", "type")] if with_type else []),
                *(Column(f, "f:" + f, hidden=i >= SHOWN_FIELDS) for i, f in enumerate(fields)),
                Column("Tags", "tags"), Column("Date", "date"), Column("Modified", "updated")]

    def cell(self, slug: str, key: str) -> Cell:
        """One cell; link hrefs are site URLs (relative to the root), the page adds its own `../` prefix."""
        got = self._cells.get((slug, key))
        if got is None:
            got = self._cells[(slug, key)] = self._cell(slug, key)
        return got

    def _cell(self, slug: str, key: str) -> Cell:
        ix = self.index
        r = ix.records[slug]
        if key == "title":
            return [[ix.title(slug), ix.page_url(slug)]]
        if key == "type":
            return str(r.get("type") or "note")
        if key == "tags":
            return [["#" + str(t), self._tag_url(str(t))] for t in r.get("tags") or []]
        if key == "date":
            return entry_date(r)
        if key == "updated":
            return str(r.get("updated") or "")[:10]
        rel = ix.relations(slug).get(key[2:])
        if rel:
            return [[ix.title(t), ix.page_url(t)] for t in rel]
        return _text((r.get("fields") or {}).get(key[2:]))

    def _cell_html(self, slug: str, col: Column, base: str) -> str:
        got = self._html.get((slug, col.key, base))
        if got is None:
            got = self._html[(slug, col.key, base)] = _cell_html(self.cell(slug, col.key), col, base)
        return got

    def _tag_url(self, tag: str) -> str:
        url = self._tag_urls.get(tag)
        if url is None:
            url = self._tag_urls[tag] = tag_url(tag)
        return url

    def build(self, slugs: list[str], page_url: str, *, with_type: bool) -> Table:
        cols = self.columns(slugs, with_type=with_type)
        rows = [[self.cell(s, c.key) for c in cols] for s in slugs]
        first, rest = rows[:self.page_rows], rows[self.page_rows:]
        base = relative("", page_url)  # `../../` from types/x/: every href below is a site URL
        path = rows_path(page_url)
        data = {"columns": [c.meta() for c in cols], "base": base, "offset": len(first), "total": len(rows),
                "rows": rest}
        body = "".join("<tr>" + "".join(f"<td>{self._cell_html(s, c, base)}</td>" for c in cols) + "</tr>"
                       for s in slugs[:self.page_rows])
        return Table(_html(cols, body, len(first), len(rows), relative(path, page_url), self.page_rows), path,
                     json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _cell_html(cell: Cell, col: Column, base: str) -> str:
    if isinstance(cell, str):
        return esc(cell)
    klass = ' class="kb-tag"' if col.key == "tags" else ""
    return (" " if col.key == "tags" else ", ").join(f'<a{klass} href="{esc(base + h)}">{esc(t)}</a>' for t, h in cell)


def _html(cols: list[Column], body: str, shown: int, total: int, src: str, page_rows: int) -> str:
    hide = [i + 1 for i, c in enumerate(cols) if c.hidden]  # nth-child is 1-based
    style = ("<style>" + ",".join(f"#kb-rows tr>:nth-child({i})" for i in hide) + "{display:none}</style>"
             if hide else "")
    head = "".join(f'<th scope="col"{" data-off" if c.hidden else ""}>{esc(c.label)}</th>' for c in cols)
    more = (f'<p class="kb-tbl-more kb-dim">Showing {shown} of {total} rows; sorting, filtering and the other '
            f"rows need JavaScript.</p>") if total > shown else ""
    return (f'<div class="kb-tbl" data-kb-table data-src="{esc(src)}" data-total="{total}" '
            f'data-page-rows="{page_rows}">{style}'
            f'<div class="kb-tbl-scroll"><table class="kb-table" id="kb-rows"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
            f"{more}</div>")
