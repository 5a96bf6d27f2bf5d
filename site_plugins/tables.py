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

Cell = str | list[list[str]]  # text, or links as [[text, href], ...] (hrefs relative to the table's page)


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
    """Columns and cells of entry tables over one SiteIndex."""

    def __init__(self, index: SiteIndex, page_rows: int = PAGE_ROWS) -> None:
        self.index = index
        self.page_rows = max(1, page_rows)

    def columns(self, slugs: list[str], *, with_type: bool) -> list[Column]:
        counts: Counter[str] = Counter()
        for s in slugs:
            counts.update(k for k in self.index.records[s].get("fields") or {} if k not in PAGE_PROPERTIES)
        fields = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_FIELDS]]
        return [Column("Title", "title"), *([Column("Type", "type")] if with_type else []),
                *(Column(f, "f:" + f, hidden=i >= SHOWN_FIELDS) for i, f in enumerate(fields)),
                Column("Tags", "tags"), Column("Date", "date"), Column("Modified", "updated")]

    def cell(self, slug: str, col: Column, page_url: str) -> Cell:
        ix = self.index
        r = ix.records[slug]
        if col.key == "title":
            return [[ix.title(slug), relative(ix.page_url(slug), page_url)]]
        if col.key == "type":
            return str(r.get("type") or "note")
        if col.key == "tags":
            return [["#" + str(t), relative(tag_url(str(t)), page_url)] for t in r.get("tags") or []]
        if col.key == "date":
            return entry_date(r)
        if col.key == "updated":
            return str(r.get("updated") or "")[:10]
        name = col.key[2:]
        rel = ix.relations(slug).get(name)
        if rel:
            return [[ix.title(t), relative(ix.page_url(t), page_url)] for t in rel]
        return _text((r.get("fields") or {}).get(name))

    def build(self, slugs: list[str], page_url: str, *, with_type: bool) -> Table:
        cols = self.columns(slugs, with_type=with_type)
        rows = [[self.cell(s, c, page_url) for c in cols] for s in slugs]
        first, rest = rows[:self.page_rows], rows[self.page_rows:]
        path = rows_path(page_url)
        data = {"columns": [c.meta() for c in cols], "offset": len(first), "total": len(rows), "rows": rest}
        return Table(_html(cols, first, len(rows), relative(path, page_url), self.page_rows), path,
                     json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _cell_html(cell: Cell, col: Column) -> str:
    if isinstance(cell, str):
        return esc(cell)
    klass = ' class="kb-tag"' if col.key == "tags" else ""
    return (" " if col.key == "tags" else ", ").join(f'<a{klass} href="{esc(h)}">{esc(t)}</a>' for t, h in cell)


def _html(cols: list[Column], rows: list[list[Cell]], total: int, src: str, page_rows: int) -> str:
    hide = [i + 1 for i, c in enumerate(cols) if c.hidden]  # nth-child is 1-based
    style = ("<style>" + ",".join(f"#kb-rows tr>:nth-child({i})" for i in hide) + "{display:none}</style>"
             if hide else "")
    head = "".join(f'<th scope="col"{" data-off" if c.hidden else ""}>{esc(c.label)}</th>' for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_cell_html(v, c)}</td>" for v, c in zip(row, cols, strict=True)) + "</tr>"
                   for row in rows)
    more = (f'<p class="kb-tbl-more kb-dim">Showing {len(rows)} of {total} rows; sorting, filtering and the other '
            f"rows need JavaScript.</p>") if total > len(rows) else ""
    return (f'<div class="kb-tbl" data-kb-table data-src="{esc(src)}" data-total="{total}" '
            f'data-page-rows="{page_rows}">{style}'
            f'<div class="kb-tbl-scroll"><table class="kb-table" id="kb-rows"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
            f"{more}</div>")
