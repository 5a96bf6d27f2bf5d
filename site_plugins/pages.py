"""Generated pages (virtual files): tags index and tag pages, type tables, graph and search pages (home: home.py)."""
from __future__ import annotations

import zlib
from collections.abc import Container
from typing import Any

from kbsync.tags import group

from .index import SiteIndex, relative, tag_url, type_url
from .links import esc
from .tables import TableBuilder

PACK_FROM = 512  # characters: a generated page's Markdown held compressed from this length (GenPage)
GEN = "_kb"  # src_uri prefix of generated pages; never a real file (dot-free so MkDocs keeps them)


class GenPage:
    """A generated page. Its Markdown (a tag or type page lists its entries: ~9 KB a page, 15 MB at 10,000
    entries) is held zlib-compressed from its making to the end of the build, in the build process and in every
    page worker forked after it; `markdown` gives the text back as it was given."""

    __slots__ = ("src_uri", "url", "title", "_md", "entry", "files")
    _md: str | bytes

    def __init__(self, src_uri: str, url: str, title: str, markdown: str, entry: bool = False,
                 files: dict[str, str] | None = None) -> None:
        self.src_uri = src_uri
        self.url = url  # site URL, relative to the root ("" for the home page)
        self.title = title
        self.markdown = markdown
        self.entry = entry  # generated pages are not entries
        self.files = {} if files is None else files  # other outputs of the page: site path -> text (tables' JSON)

    @property
    def markdown(self) -> str:
        md = self._md
        return md if isinstance(md, str) else zlib.decompress(md).decode("utf-8", "surrogatepass")

    @markdown.setter
    def markdown(self, text: str) -> None:  # short ones as they are: compressing them saves nothing
        self._md = zlib.compress(text.encode("utf-8", "surrogatepass"), 1) if len(text) > PACK_FROM else text

    @property
    def dest_uri(self) -> str:
        return (self.url + "index.html") if self.url else "index.html"

    def _key(self) -> tuple[Any, ...]:
        return self.src_uri, self.url, self.title, self.markdown, self.entry, self.files

    def __eq__(self, other: object) -> bool:
        return type(other) is GenPage and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # (as the dataclass it was: equal by value, mutable)

    def __repr__(self) -> str:
        return f"GenPage(src_uri={self.src_uri!r}, url={self.url!r}, title={self.title!r}, entry={self.entry!r})"


def _a(href: str, text: str, klass: str = "") -> str:
    k = f' class="{klass}"' if klass else ""
    return f'<a{k} href="{esc(href)}">{esc(text)}</a>'


def _entry_list(index: SiteIndex, slugs: list[str], page_url: str) -> str:
    return '<ul class="kb-list">' + "".join(
        f"<li>{_a(relative(index.page_url(s), page_url), index.title(s))}"
        f' <span class="kb-dim">{esc(str(index.records[s].get("type") or "note"))}</span></li>' for s in slugs) + "</ul>"


class TagPages:
    """A page per tag (nested tags get parents that include their children) and a tags index."""

    def __init__(self, index: SiteIndex, page_rows: int = 100) -> None:
        self.index = index
        self.tables = TableBuilder(index, page_rows)

    def pages(self, tags: dict[str, Any] | None = None, only: Container[str] | None = None) -> list[GenPage]:
        """`tags` (as `group` gives them; sized collections where no page is made) and `only` (the tags to make
        pages for, with the index): how an edit's follow-up remakes a few (site_plugins/followup_generated.py)."""
        if tags is None:
            tags = group(((s, self.index.records[s].get("tags") or []) for s in sorted(self.index.public)),
                         self.index.title_order)  # one page per folded tag
        out = []
        rows = []
        children_of: dict[str, list[str]] = {}  # one pass, in tag order (a scan per tag was quadratic)
        for t in tags:
            if "/" in t:
                children_of.setdefault(t.rsplit("/", 1)[0], []).append(t)
        for tag, slugs in tags.items():
            url = tag_url(tag)
            depth = tag.count("/")
            rows.append(f'<li style="--d:{depth}">{_a(relative(url, "tags/"), "#" + tag, "kb-tag")} '
                        f'<span class="kb-count">{len(slugs)}</span></li>')
            if only is not None and tag not in only:
                continue
            children = children_of.get(tag, [])
            sub = ("<p>Nested: " + " ".join(_a(relative(tag_url(c), url), "#" + c, "kb-tag") for c in children)
                   + "</p>") if children else ""
            table = self.tables.build(slugs, url, with_type=True)
            md = f"# #{esc(tag)}\n\n<p class=\"kb-dim\">{len(slugs)} entries</p>\n{sub}\n{table.html}\n"
            out.append(GenPage(f"{GEN}/tags/{url[5:-1]}.md", url, f"#{tag}", md, files={table.json_path: table.json_text}))
        index_md = (f"# Tags\n\n<p class=\"kb-dim\">{len(tags)} tags</p>\n"
                    f'<ul class="kb-tag-index">{"".join(rows)}</ul>\n')
        out.append(GenPage(f"{GEN}/tags.md", "tags/", "Tags", index_md))
        return out


class TypePages:
    """A page per entry type: a table of its entries and their fields (site_plugins/tables.py)."""

    def __init__(self, index: SiteIndex, page_rows: int = 100) -> None:
        self.index = index
        self.tables = TableBuilder(index, page_rows)

    def pages(self, types: dict[str, Any] | None = None, only: Container[str] | None = None) -> list[GenPage]:
        """`types` and `only`: as for TagPages.pages."""
        out = []
        types = self.index.types() if types is None else types
        for kind, slugs in types.items():
            if only is not None and kind not in only:
                continue
            url = type_url(kind)
            table = self.tables.build(slugs, url, with_type=False)
            md = f"# {esc(kind)}\n\n<p class=\"kb-dim\">{len(slugs)} entries</p>\n{table.html}\n"
            out.append(GenPage(f"{GEN}/types/{url[6:-1]}.md", url, kind, md, files={table.json_path: table.json_text}))
        rows = "".join(f"<li>{_a(relative(type_url(k), 'types/'), k)} <span class=\"kb-count\">{len(v)}</span></li>"
                       for k, v in types.items())
        out.append(GenPage(f"{GEN}/types.md", "types/", "Types", f'# Types\n\n<ul class="kb-list">{rows}</ul>\n'))
        return out


def graph_page() -> GenPage:
    md = ('# Graph\n\n<div class="kb-graph kb-graph-global" data-kb-graph="global" data-root="../">'
          '<canvas></canvas><div class="kb-graph-info"></div></div>\n')
    return GenPage(f"{GEN}/graph.md", "graph/", "Graph", md)


def search_page() -> GenPage:
    """Full-text results for `/search/?query=`, filled from the kb API by kb-typeahead.js."""
    md = ('# Search\n\n<div class="kb-results" data-kb-results>'
          '<form class="kb-results-form" action="./" method="get" role="search">'
          '<input type="search" name="query" aria-label="Search query" placeholder="Search all entries">'
          '<button type="submit">Search</button></form>'
          '<p class="kb-results-status kb-dim" aria-live="polite">Full-text search needs JavaScript and the kb API '
          '(<code>kb serve</code>); the search box above works everywhere.</p>'
          '<ol class="kb-results-list"></ol></div>\n')
    return GenPage(f"{GEN}/search.md", "search/", "Search", md)

