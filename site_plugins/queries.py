"""Queries rendered at build time: a Python-Markdown preprocessor replaces ```dataview / ```base fences and `= expr`.

The plugin tells `SiteQueries` the build's records (`load`) and the page being rendered (`begin`); the
preprocessor runs the queries over public entries only and stashes the HTML, so Markdown never sees it.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import partial
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from .incremental import _h
from .index import relative

MARKERS = ("```", "~~~")


class SiteQueries:
    """Per-build query state: the public page set (built on first use) and the page being rendered."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.docs_dir = ""
        self._pages: Any = None
        self._key: str | None = None
        self._uses: dict[tuple[str, str], bool] = {}  # (path, content hash) -> has query blocks
        self.slug: str | None = None
        self.page_url = ""
        self.rendered = 0

    def install(self, config: Any) -> None:
        """Add the Markdown extension once (on_config runs again on every rebuild of `kb serve`)."""
        if not any(isinstance(e, QueryExtension) for e in config.markdown_extensions):
            config.markdown_extensions.append(QueryExtension(self))

    def load(self, records: Iterable[dict[str, Any]], docs_dir: str) -> None:
        self.records = [r for r in records if r.get("visibility") == "public"]
        self.docs_dir = docs_dir
        self._pages = None
        self._key = None

    def begin(self, slug: str | None, page_url: str) -> None:
        self.slug, self.page_url = slug, page_url

    @property
    def pages(self) -> Any:
        if self._pages is None:
            from kbsync.query import PageSet

            files = {}
            for r in self.records:  # modification time and size, for entries without git dates
                try:
                    st = os.stat(os.path.join(self.docs_dir, r["path"]))
                    files[r["path"]] = (st.st_mtime_ns, st.st_size)
                except OSError:
                    pass
            self._pages = PageSet(self.records, "public", files)
        return self._pages

    def url(self, slug: str) -> str:
        return relative(f"{slug}/", self.page_url)

    def render_block(self, block: Any) -> str:
        from kbsync.query import error_html, render_html
        from kbsync.query.blocks import JS_MESSAGE

        self.rendered += 1
        if block.lang == "dataviewjs":
            return error_html(JS_MESSAGE)
        if block.lang == "base":
            from kbsync.query.bases import render_base

            return render_base(block.text, self.pages, this=self.slug, url=self.url)
        return render_html(block.text, self.pages, this=self.slug, url=self.url)

    def render_inline(self, expr: str) -> str:
        """An inline query (`= expr`) on this page: its value as Dataview shows it, or an error span."""
        from html import escape

        from kbsync.query import QueryError
        from kbsync.query.engine import Env
        from kbsync.query.parser import parse_expr
        from kbsync.query.render import value_html

        try:
            env = Env(self.pages, self.slug, None, 1.0, 10_000)
            return f'<span class="kb-query-inline">{value_html(parse_expr(expr)(env.this, env), self.url)}</span>'
        except QueryError as e:
            return f'<span class="kb-query-error">{escape(str(e))}</span>'
        except Exception as e:  # noqa: BLE001 - an inline query must never break a build
            return f'<span class="kb-query-error">{escape(type(e).__name__)}</span>'

    def render(self, text: str, stash: Any) -> str:
        if not any(m in text for m in (*MARKERS, "`=")):
            return text
        from kbsync.query.blocks import replace_blocks, replace_inline

        # One line per result: a blank line inside raw HTML would end it, so newlines become entities.
        out = replace_blocks(text, lambda b: stash(self.render_block(b).replace("\n", "&#10;")))
        return replace_inline(out, lambda expr: stash(self.render_inline(expr).replace("\n", "&#10;")))

    def base_pages(self, files: Iterable[Any]) -> list[Any]:
        """Each `.base` file becomes a page of its own at /<slug>/ (its views, rendered over public entries)."""
        from html import escape

        from kbsync.paths import slugify, stem_of
        from kbsync.query.bases import render_base

        from .pages import GenPage

        out = []
        for f in files:
            if not f.src_uri.endswith(".base") or f.generated_by:
                continue
            try:
                with open(f.abs_src_path, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError) as e:
                text = f"invalid: [{e}]"  # renders as the error element, naming the problem
            md_path = f.src_uri[: -len(".base")] + ".md"
            url = f"{slugify(md_path)}/"
            html = render_base(text, self.pages, url=partial(_relative_slug, here=url))
            out.append(GenPage(f"kb-bases/{md_path}", url, stem_of(md_path), f"# {escape(stem_of(md_path))}\n{html}"))
        return out

    # -- incremental builds ------------------------------------------------------------------------
    def corpus_key(self) -> str:
        """What any query result can depend on: every public entry's content and git dates."""
        if self._key is None:
            self._key = _h(sorted((r["slug"], r.get("hash"), r.get("created"), r.get("updated"))
                                  for r in self.records))
        return self._key

    def uses_queries(self, abs_path: str, content_hash: str | None) -> bool:
        key = (abs_path, content_hash or "")
        if key not in self._uses:
            try:
                with open(abs_path, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                text = ""
            from kbsync.query.blocks import find_blocks

            self._uses[key] = bool(any(m in text for m in MARKERS) and find_blocks(text))
        return self._uses[key]

    def page_key(self, file: Any, record: dict[str, Any], key: str) -> str:
        """An entry page's render key, widened to the whole public corpus when the page runs queries."""
        if self.uses_queries(file.abs_src_path, record.get("hash")):
            return _h([key, self.corpus_key()])
        return key


class QueryPreprocessor(Preprocessor):
    """Before the callout preprocessor (it reshapes `> ` blocks): query fences become marker lines."""

    def __init__(self, md: Markdown, queries: SiteQueries, rendered: list[str]) -> None:
        super().__init__(md)
        self.queries, self.rendered = queries, rendered

    def run(self, lines: list[str]) -> list[str]:
        self.rendered.clear()
        text = "\n".join(lines)

        def keep(html: str) -> str:
            self.rendered.append(html)
            return f"kbquery{id(self.rendered)}x{len(self.rendered) - 1}q"  # q: digits may follow inline
        out = self.queries.render(text, keep)
        return lines if out is text else out.split("\n")


class StashPreprocessor(Preprocessor):
    """After whitespace normalisation (which strips the stash's control characters): markers → stashed HTML."""

    def __init__(self, md: Markdown, rendered: list[str]) -> None:
        super().__init__(md)
        self.rendered = rendered

    def run(self, lines: list[str]) -> list[str]:
        if not self.rendered:
            return lines
        marker = re.compile(rf"kbquery{id(self.rendered)}x(\d+)q")
        return [marker.sub(lambda m: self.md.htmlStash.store(self.rendered[int(m.group(1))]), ln) for ln in lines]


class QueryExtension(Extension):
    def __init__(self, queries: SiteQueries) -> None:
        super().__init__()
        self.queries = queries

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        rendered: list[str] = []
        md.preprocessors.register(QueryPreprocessor(md, self.queries, rendered), "kb_queries", 45)
        md.preprocessors.register(StashPreprocessor(md, rendered), "kb_queries_stash", 29)


def _relative_slug(slug: str, here: str) -> str:
    """An entry's URL relative to the page at `here`."""
    return relative(f"{slug}/", here)
