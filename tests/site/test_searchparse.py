"""Material's search parser with string bookkeeping (site_plugins/searchparse.py): Material's very sections, and a
whole site's search index byte-identical to the one Material's own parser makes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kbsite import Site, build
from material.plugins.search import plugin as material_search
from material.plugins.search.plugin import SearchIndex
from test_parallel import assert_same_site, content_of

from kbsync.testing.corpus import ensure
from site_plugins import searchparse
from site_plugins.searchparse import FastParser

_MATERIAL = searchparse.Parser  # Material's class (its module's name is patched once a kb build ran)
HTML = [
    ("plain paragraphs", "<p>One\ntwo</p>\n\n<p>three &amp; <b>four</b> &lt;x&gt;</p>"),
    ("preface before h1", "<p>lead</p><h1 id='t'>Title<a class='headerlink' href='#t'>¶</a></h1><p>body</p>"),
    ("h2 first: a top section is made", "<h2 id='a'>A</h2><p>x</p><h3 id='b'>B <code>c</code></h3><p>y</p>"),
    ("heading without id stays text", "<h2>No id</h2><p>x</p>"),
    ("heading nested in a div, then closed", "<div><h2 id='n'>N</h2><p>in</p></div><p>after</p>"),
    ("nested sections leave in turn", "<section><div><h2 id='a'>A</h2><p>1</p></div><h3 id='b'>B</h3></section>x"),
    ("excluded block", "<p>keep</p><div data-search-exclude><p>drop <i>me</i></p></div><p>tail</p>"),
    ("nested excluded blocks of one tag", "<div data-search-exclude><div data-search-exclude>a</div>b</div>c"),
    ("excluded heading section", "<h2 id='x' data-search-exclude>X</h2><p>x</p><h2 id='y'>Y</h2><p>y</p>"),
    ("scripts, styles, objects skipped for good", "<p>a<script>var x = '<p>';</script>b<style>p{}</style></p>c"),
    ("a second script skipped too", "<script>x</script><p>a</p><script>y</script><style>z</style><style>w</style>"),
    ("line numbers skipped", "<table><tr><td class='linenodiv'><pre>1\n2</pre></td><td><pre>code\n  x</pre></td>"),
    ("pre keeps whitespace", "<pre><code>a  b\n\n  c</code></pre><p>  \n  </p><p>d</p>"),
    ("pre keeps whitespace runs", "<pre>x<span> </span><span>\n</span><span>\t</span>y</pre><p>a<i> </i><b> </b>b</p>"),
    ("empty kept tags dropped", "<ul><li> </li><li>x</li></ul><p></p><ol><li><p> </p></li></ol>"),
    ("void and stray end tags", "<p>a<br>b<img src='x'>c</p></div></span><hr><p>d</p>"),
    ("unclosed tags", "<div><p>a<span>b<h2 id='z'>Z</h2>c"),
    ("sub, sup, code in a title", "<h2 id='q'>H<sub>2</sub>O <sup>x</sup><code>y</code></h2>t"),
    ("entities and CJK", "<p>&eacute;&#233;&#x4e2d; 中文分词 &nbsp; x</p><h2 id='中'>中</h2>"),
    ("a headerlink outside a title", "<p>a <a class='headerlink'>b</a></p>"),
    ("whitespace runs between blocks", "<p>a</p>\n   \n<p>b</p>  \t <div> </div> <p>c</p>"),
    # searchparse tokenizes pages of plain tags and text itself: these must come out as HTMLParser reads them
    ("attributes: entities, empty, bare, spaced", "<h2 id=\"a&amp;b\" title='' open class = \"x\">A</h2><p\n>t</p >"),
    ("upper-case tags and self-closed ones", "<P>a<BR/>b<Div/>c<H2 ID='u'>U</H2 ><sub />d</P>"),
    ("data entities, a stray ampersand", "<p>&lt;b&gt; &amp;&amp; &copy &#x41;&#65 & x&</p><p>tail &am"),
    ("a bare < in text: left to HTMLParser", "<p>a < b and c<d</p><h2 id='x'>x</h2>"),
    ("a comment or declaration: left to HTMLParser", "<p>a<!-- <p>b</p> -->c</p><!x><?y?><h2 id='z'>z</h2>"),
    ("a vertical tab after a tag name", "<p\vclass='x'>a</p><h2\vid='v'>v</h2>w"),
    ("odd attribute forms", "<p a=b>1</p><p a=\"1\"b=\"2\">2</p><p a==\"3\">3</p><p/a>4</p><h2 id=\"<\">5</h2>"),
]


def sections(parser_class: type, html: str) -> list[tuple[Any, ...]]:
    parser = parser_class()
    parser.feed(html)
    parser.close()
    return [(s.el.tag, s.el.attrs, s.id, s.depth, s.title, s.text, s.is_excluded()) for s in parser.data]


@pytest.mark.parametrize("name, html", HTML)
def test_sections_equal_materials(name: str, html: str) -> None:
    assert sections(FastParser, html) == sections(_MATERIAL, html)


@pytest.mark.parametrize("text", ["", " ", "plain text", "中文分词测试", "\u200b中\u200b", "mixed 中文 text 漢字, 日本語のテキスト",
                                  "\u200bedge\u200b", "한국어 and ひらがな"])
def test_chinese_segmenting_equals_materials(text: str) -> None:
    index = SearchIndex(lang=["en"])
    assert searchparse._segment_chinese(index, text) == searchparse._MATERIAL_SEGMENT(index, text)


@pytest.mark.parametrize("content", [
    "<p>plain</p>",
    '<h2 id="a" data-search-exclude="">A</h2><p data-search-boost="2">x</p>',
    '<div\ndata-search-exclude="1">y</div> data-search-x="no"',
])
def test_page_handler_equals_materials(content: str) -> None:
    class Page:
        meta: dict = {}
        toc: list = []
        url, title = "p/", "P"

    pages = []
    for handler in (_MATERIAL_CONTEXT, searchparse.on_page_context):
        plugin = material_search.SearchPlugin()
        plugin.load_config({})
        plugin.search_index = SearchIndex(lang=["en"])
        page = Page()
        page.content = content
        handler(plugin, {}, page=page, config=None, nav=None)
        pages.append((page.content, plugin.search_index.entries))
    assert pages[0] == pages[1]


_MATERIAL_CONTEXT = searchparse._MATERIAL_CONTEXT


def _site(content: Path, out: Path, ours: bool, monkeypatch: pytest.MonkeyPatch) -> Site:
    with monkeypatch.context() as m:
        if not ours:  # Material's own search indexing for this build
            m.setattr(searchparse, "install", lambda plugins: None)
            m.setattr(material_search, "Parser", _MATERIAL)
            m.setattr(SearchIndex, "_segment_chinese", searchparse._MATERIAL_SEGMENT)
        site = build(content, out)
        assert (material_search.Parser is FastParser) is ours
    return site


def _same_index(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    theirs = _site(content, tmp_path / "material" / "site", False, monkeypatch)
    ours = _site(content, tmp_path / "ours" / "site", True, monkeypatch)
    assert len((theirs.out / "search" / "search_index.json").read_bytes()) > 1000
    assert_same_site(theirs, ours)  # the index, and the pages Material's handler strips attributes from


@pytest.mark.parametrize("name", ["sample", "vault", "corpus"])
def test_a_sites_search_index_equals_materials(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same_index(content_of(name, tmp_path), tmp_path, monkeypatch)


@pytest.mark.slow
def test_a_1000_entry_sites_search_index_equals_materials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same_index(ensure(tmp_path / "corpus", 1000, planted=True)[0], tmp_path, monkeypatch)
