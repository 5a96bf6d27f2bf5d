"""Table tests for the plugin's pure helpers: relative URLs, tag/type URLs, embed sections, render keys."""
from __future__ import annotations

import pytest

from site_plugins.incremental import entry_key
from site_plugins.index import SiteIndex, relative, tag_url, type_url
from site_plugins.links import LinkManager


@pytest.mark.parametrize(("url", "page", "expected"), [
    ("b/", "a/", "../b/"),
    ("", "a/b/", "../../"),
    ("", "", "./"),
    ("a/", "", "a/"),
    ("tags/x/", "tags/", "x/"),
    ("img/p.png", "notes/n/", "../../img/p.png"),
    ("notes/n/", "notes/n/", "./"),
])
def test_relative(url: str, page: str, expected: str) -> None:
    assert relative(url, page) == expected


def test_relative_agrees_with_posixpath_relpath() -> None:
    """The fast path must give what posixpath.relpath gives, on clean and on odd URLs."""
    import itertools
    import posixpath

    def reference(url: str, page_url: str) -> str:
        base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"
        if not base or base == "./":
            return url or "./"
        rel = posixpath.relpath("/" + url, "/" + base)
        return rel + "/" if (url.endswith("/") or not url) and not rel.endswith("/") else rel

    urls = ["", "a/", "a/b/", "a/b/c/", "a/x/", "b/", "img/p.png", "a/b/p.png", "v1.2/", "a//b/", "a/./b/",
            "a/../c/", "tags/x/y/", "caf\u00e9/", "a/b", "./", "../up/"]
    for url, page in itertools.product(urls, urls + ["a/b/index.html", "x"]):
        assert relative(url, page) == reference(url, page), (url, page)


@pytest.mark.parametrize(("tag", "expected"), [
    ("fitness", "tags/fitness/"), ("home/garage", "tags/home/garage/"), ("Café Crème", "tags/café-crème/"),
])
def test_tag_url(tag: str, expected: str) -> None:
    assert tag_url(tag) == expected


def test_type_url() -> None:
    assert type_url("Exercise") == "types/exercise/"


BODY = "# T\n\nintro\n\n## A\n\na text\n\n```\n## not a heading\n```\n\n### A.1\n\nsub\n\n## B\n\nb text\n"


@pytest.mark.parametrize(("anchor", "has", "lacks"), [
    ("A", ["a text", "## not a heading", "sub"], ["b text", "intro"]),
    ("A.1", ["sub"], ["a text", "b text"]),
    ("B", ["b text"], ["a text"]),
    (None, ["intro", "b text"], []),
    ("Missing", ["intro"], []),
])
def test_embed_section(anchor: str | None, has: list[str], lacks: list[str]) -> None:
    part = LinkManager._section(BODY, anchor)
    assert all(h in part for h in has) and not any(x in part for x in lacks)


def _index(**changes: object) -> SiteIndex:
    a = {"slug": "a", "path": "a.md", "title": "A", "hash": "1", "visibility": "public",
         "links": [{"target": "b", "kind": "link", "raw": "[[b]]"}], "backlinks": []}
    b = {"slug": "b", "path": "b.md", "title": "B", "hash": "2", "visibility": "public", "links": [],
         "backlinks": [{"source": "a", "kind": "link"}]}
    c = {"slug": "c", "path": "c.md", "title": "C", "hash": "3", "visibility": "public", "links": [], "backlinks": []}
    b.update(changes)  # type: ignore[arg-type]
    return SiteIndex.from_records([a, b, c])


def test_render_keys_follow_dependencies() -> None:
    base = _index()
    keys = {s: entry_key(base, s, "g") for s in "abc"}
    retitled = _index(title="B2")
    assert entry_key(retitled, "a", "g") != keys["a"]  # a shows b's title on its link
    assert entry_key(retitled, "c", "g") == keys["c"]  # c does not depend on b
    hidden = _index(visibility="private")
    assert entry_key(hidden, "a", "g") != keys["a"]  # the link to b becomes plain text
    assert entry_key(base, "a", "other-global") != keys["a"]


MATH = '<div class="arithmatex">\\[x\\]</div>'
MERMAID = '<pre class="mermaid"><code>flowchart LR\nA--&gt;B</code></pre>'


@pytest.mark.parametrize(("body", "page", "has", "lacks"), [
    (MATH, "a/b/", ['href="../../assets/kb/vendor/katex/katex.min.css"', 'defer src="../../assets/kb/kb-math.js"'],
     ["mermaid.min.js"]),
    (MERMAID, "", ['<script defer src="assets/kb/vendor/mermaid/mermaid.min.js">'], ["katex"]),
    (MATH + MERMAID, "404.html", ['src="assets/kb/vendor/katex/katex.min.js"', "mermaid.min.js"], []),
    ("<p>plain</p>", "a/", [], ["katex", "mermaid.min.js"]),
])
def test_vendor_scripts_only_where_needed(body: str, page: str, has: list[str], lacks: list[str]) -> None:
    from site_plugins.vendor import VendorAssets

    html = VendorAssets().inject(f"<html><head><title>t</title></head><body>{body}</body></html>", page)
    head = html[:html.index("</head>")]
    assert all(h in head for h in has), head
    assert not any(x in html for x in lacks)


def test_vendor_site_wide_with_instant_navigation(tmp_path) -> None:  # noqa: ANN001
    from site_plugins.config import load

    (tmp_path / "content").mkdir()
    cfg = load(tmp_path / "content", tmp_path / "site")
    cfg.theme["features"] = [*cfg.theme["features"], "navigation.instant"]
    cfg = cfg.plugins.on_config(cfg)
    scripts = {str(s): s for s in cfg.extra_javascript}
    assert "assets/kb/vendor/mermaid/mermaid.min.js" in scripts and "assets/kb/kb-math.js" in scripts
    assert scripts["assets/kb/vendor/mermaid/mermaid.min.js"].defer
    assert "assets/kb/vendor/katex/katex.min.css" in [str(c) for c in cfg.extra_css]
    assert cfg.theme["font"] is False  # default config: no Google Fonts


def _stored(links: list[dict[str, object]], people: bool = False) -> SiteIndex:
    """`a` links to `Ideas`; the resolver alone would pick `en/ideas` (same folder), the store says `fr/ideas`."""
    recs = [{"slug": s, "path": f"{s.replace('ideas', 'Ideas')}.md", "title": "Ideas", "visibility": "public",
             "type": "person" if people else "note", "links": [], "backlinks": []} for s in ("en/ideas", "fr/ideas")]
    recs.append({"slug": "en/a", "path": "en/a.md", "title": "A", "visibility": "public", "links": links,
                 "backlinks": []})
    return SiteIndex.from_records(recs, attachments=["en/p.png", "fr/p.png"])


@pytest.mark.parametrize(("md", "links", "has"), [
    ("see [[Ideas]]", [{"target": "fr/ideas", "kind": "link", "raw": "[[Ideas]]", "line": 1}], 'href="../../fr/ideas/"'),
    ("see [i](Ideas.md)", [{"target": "fr/ideas", "kind": "link", "raw": "[i](Ideas.md)", "line": 1}],
     'href="../../fr/ideas/"'),
    ("![[p.png]]", [{"target": "fr/p.png", "kind": "embed", "raw": "![[p.png]]", "line": 1, "attachment": True}],
     'src="../../fr/p.png"'),
    ("see [[Ideas]]", [{"target": None, "kind": "link", "raw": "[[Ideas]]", "line": 1}], 'class="kb-broken"'),
    ("hi @ideas", [{"target": "fr/ideas", "kind": "mention", "raw": "@ideas", "line": 1}], 'href="../../fr/ideas/"'),
])
def test_links_render_from_the_stored_resolution(md: str, links: list[dict[str, object]], has: str) -> None:
    index = _stored(links, people="@" in md)
    lm = LinkManager(index, "/nonexistent", broken="ignore")
    html = lm.restore(lm.render(md, "en/a.md", "en/a/"), "en/a.md")
    assert has in html and lm.fallbacks == 0, html


def test_links_sync_never_saw_fall_back_to_the_resolver() -> None:
    lm = LinkManager(_stored([]), "/nonexistent", broken="ignore")
    html = lm.restore(lm.render("see [[Ideas]]", "en/a.md", "en/a/"), "en/a.md")
    assert 'href="../ideas/"' in html
    assert lm.fallbacks == 1


def test_attachments_come_from_the_store(tmp_path) -> None:  # noqa: ANN001
    """What sync saw, not MkDocs' file list: files without an entry, never a Markdown file that failed to parse."""
    from kbsync.store import open_store
    from kbsync.sync import sync_content
    from site_plugins.index import stored_attachments

    content = tmp_path / "c"
    (content / "img").mkdir(parents=True)
    (content / "img" / "p.png").write_bytes(b"x")
    (content / "doc.pdf").write_bytes(b"x")
    (content / "A.md").write_text("![[p.png]]")
    (content / "bad.md").write_bytes(b"\xff\xfe\x00bad")
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    assert stored_attachments(store) == ["doc.pdf", "img/p.png"]
