"""Material's search indexing with less CPU: its parser's bookkeeping in strings, its patterns compiled once.

Material's `Parser` keeps the open elements as `Element` objects that hash and compare by tag in Python
(`__hash__`, `__eq__`), and for every piece of text intersects its skip set with them: about half of its
time at 10,000 pages. Every such test depends on tags alone, so this subclass keeps the open tags and the
skipped tags as plain strings beside Material's own lists, and answers the same tests at C speed. Its
sections are Material's (`tests/site/test_searchparse.py` compares the two, and a whole site's index).
Material also looks its Chinese-segmenting pattern up in `bre`'s cache twice per section, and runs a pattern
stripping `data-search-*` attributes over every page, which seldom has one.
"""
from __future__ import annotations

import re
from html import escape, unescape
from types import MethodType
from typing import Any

from backrefs import bre
from material.plugins.search import plugin as material_search
from material.plugins.search.plugin import Element, Parser, SearchIndex, SearchPlugin, Section, void

HEADINGS = frozenset(f"h{x}" for x in range(1, 7))
UNSKIPPED = ("script", "style", "object")  # skipped for good once seen (Material never removes them)
HAN = bre.compile(r"(\p{script: Han}+)", bre.UNICODE)  # as Material's _segment_chinese
SEARCH_ATTRS = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")  # as Material's on_page_context
# The HTML kb's pages are made of, tokenized in one pass: text, or a start tag (quoted attributes only), or an end tag.
# Any other `<` (comments, declarations, `a < b`, unquoted or odd attributes) is left to HTMLParser, whole page.
# Tags take only the whitespace that ends HTMLParser's tag name (`\v` does not).
_TOKEN = re.compile(r"""([^<]+)|<(?:([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*"""
                    r"""(?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:"[^"<]*"|'[^'<]*'))?)*)[ \t\n\r\f]*(/?)>"""
                    r"""|/([a-zA-Z][a-zA-Z0-9]*)[ \t\n\r\f]*>)""")
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:[ \t\n\r\f]*=[ \t\n\r\f]*("[^"]*"|'[^']*'))?""")
_CDATA = ("script", "style")  # HTMLParser reads their content raw: left to it
_MATERIAL_CONTEXT = SearchPlugin.on_page_context
_MATERIAL_SEGMENT = SearchIndex._segment_chinese  # (the tests compare with it)


class FastParser(Parser):
    """Material's `Parser`: the same `data` (sections), the same quirks, tests done on tag strings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tags: list[str] = []  # the tag of each element of `self.context`
        self.skip_tags: set[str] = {str(s) for s in self.skip}

    def feed(self, data: str) -> None:
        """HTMLParser's events for the HTML `_TOKEN` covers, from one regex pass; anything else goes to HTMLParser."""
        tokens = _TOKEN.findall(data) if self.convert_charrefs and not self.rawdata else None
        if (tokens is None or len(tokens) - sum(1 for t in tokens if t[0]) != data.count("<")
                or any(t[1].lower() in _CDATA for t in tokens if t[1])):
            super().feed(data)  # some `<` starts no token: the page is not all plain tags and text
            return
        for text, tag, attrs, close, end in tokens:
            if text:
                self.handle_data(unescape(text))
            elif tag:
                pairs = [(name.lower(), unescape(value[1:-1]) if value else None)
                         for name, value in _ATTR.findall(attrs)] if attrs else []
                if close:
                    self.handle_startendtag(tag.lower(), pairs)
                else:
                    self.handle_starttag(tag.lower(), pairs)
            else:
                self.handle_endtag(end.lower())

    def updatepos(self, i: int, j: int) -> int:
        return j  # line and column are only for getpos(), which Material never asks

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        attrs = dict(attrs)
        if tag in void:
            return
        el = Element(tag, attrs)
        self.context.append(el)
        self.tags.append(tag)
        if tag in HEADINGS and "id" in attrs:
            depth = len(self.context)
            if tag != "h1" and not self.data:
                self.section = Section(Element("hx"), depth)
                self.data.append(self.section)
            self.section = Section(el, depth)
            if self.data:
                self.section.id = attrs["id"]
            self.data.append(self.section)
        if not self.section:
            self.section = Section(Element("hx"))
            self.data.append(self.section)
        if "data-search-exclude" in attrs or attrs.get("class") == "linenodiv":
            self.skip.add(el)
            self.skip_tags.add(tag)
            return
        if tag in self.keep and self.skip_tags.isdisjoint(self.tags):
            section = self.section
            (section.title if section.el.tag in self.tags else section.text).append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if not self.tags or self.tags[-1] != tag:
            return
        depth = len(self.context)
        if self.section.depth > depth:
            for section in reversed(self.data):
                if section.depth <= depth:
                    self.section.depth = float("inf")
                    self.section = section
                    break
        el = self.context.pop()
        self.tags.pop()
        if el.tag in self.skip_tags:
            if el.tag not in UNSKIPPED:
                self.skip.remove(el)
                self.skip_tags.remove(el.tag)
            return
        if tag in self.keep and self.skip_tags.isdisjoint(self.tags):
            data = self.section.title if self.section.el.tag in self.tags else self.section.text
            index = data.index(f"<{tag}>")
            for i in range(index + 1, len(data)):
                if not data[i].isspace():
                    index = len(data)
                    break
            if len(data) > index:
                del data[index:]
            else:
                data.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        tags = self.tags
        if not self.skip_tags.isdisjoint(tags):
            return
        if "pre" not in tags:
            data = data.replace("\n", " ") if not data.isspace() else " "
        if not self.section:
            self.section = Section(Element("hx"))
            self.data.append(self.section)
        section = self.section
        if section.el.tag in tags:
            if not any(el.tag == "a" and el.attrs.get("class") == "headerlink" for el in self.context):
                section.title.append(escape(data, quote=False))
        elif data.isspace():
            text = section.text
            if not text or not text[-1].isspace() or "pre" in tags:
                text.append(data)
        else:
            section.text.append(escape(data, quote=False))


def _segment_chinese(self: SearchIndex, data: str) -> str:
    """Material's `SearchIndex._segment_chinese`, its pattern compiled once."""
    def replace(match: Any) -> str:
        return "".join(["\u200b", "\u200b".join(material_search.jieba.cut(match.group(0).encode("utf-8"))), "\u200b"])

    return HAN.sub(replace, data).strip("\u200b")


def on_page_context(self: SearchPlugin, context: Any, *, page: Any, config: Any, nav: Any) -> None:
    """Material's `on_page_context`; its pattern runs only over a page that has a `data-search-` attribute."""
    if not self.config.enabled:
        return
    self.search_index.add_entry_from_context(page)
    if "data-search-" in page.content:
        page.content = SEARCH_ATTRS.sub("", page.content)


def install(plugins: Any) -> None:
    """Material's search plugin parses pages with `FastParser` (it looks `Parser` up in its module), segments
    with the pattern above, and its page handler (registered bound at load, as searchout.py says) is ours."""
    material_search.Parser = FastParser  # type: ignore[misc]
    SearchIndex._segment_chinese = _segment_chinese  # type: ignore[method-assign]
    handlers = plugins.events.get("page_context", [])
    for i, h in enumerate(handlers):
        if getattr(h, "__func__", None) is _MATERIAL_CONTEXT:
            handlers[i] = MethodType(on_page_context, h.__self__)
