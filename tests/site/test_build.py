"""Built sites, parsed: links, backlinks, broken hrefs, leftovers, visibility (gen_corpus and the real vault)."""
from __future__ import annotations

import gzip
import json
import re

import pytest
from kbsite import Site

from kbsync.paths import slugify

ATTR = re.compile(r'\s(?:href|src)="([^"]*)"')
CODE = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1>", re.S | re.I)
TAGS = re.compile(r"<[^>]+>")


def url(path: str) -> str:
    return slugify(path) + "/"


def content_links(site: Site, page_url: str) -> set[str]:
    """Site URLs linked from the page body (metadata and body, not the backlinks/graph aside)."""
    soup = site.soup(page_url)
    art = soup.select_one("article.md-content__inner")
    assert art is not None
    return {u for a in art.select("a[href]")
            if not a.find_parent(class_="kb-side") and (u := Site.resolve_href(page_url, a["href"])) is not None}


def public(truth: dict, path: str) -> bool:
    e = truth["entries"][path]
    return not (e["draft"] or e["private"])


# -- generated corpus -------------------------------------------------------------------------
def test_every_truth_link_is_an_anchor_to_the_target_page(corpus_site: Site) -> None:
    truth = corpus_site.truth
    checked = 0
    for path, e in truth["entries"].items():
        if not public(truth, path):
            continue
        got = content_links(corpus_site, url(path))
        want = {url(t) for t in e["links"] + e["mentions"] if public(truth, t)}
        missing = want - got
        assert not missing, f"{path}: no <a> to {sorted(missing)}"
        checked += len(want)
    assert checked > 500


def test_links_to_hidden_entries_are_plain_text(corpus_site: Site) -> None:
    truth = corpus_site.truth
    hidden = {url(p) for p in truth["entries"] if not public(truth, p)}
    for path in truth["entries"]:
        if public(truth, path):
            assert not (content_links(corpus_site, url(path)) & hidden), path


def test_every_truth_backlink_is_listed(corpus_site: Site) -> None:
    truth = corpus_site.truth
    n = 0
    for target, sources in truth["backlinks"].items():
        if not public(truth, target):
            continue
        page = url(target)
        panel = corpus_site.soup(page).select_one(".kb-backlinks")
        assert panel is not None, target
        got = {Site.resolve_href(page, a["href"]) for a in panel.select("a[href]")}
        want = {url(s) for s in sources}
        assert want <= got, f"{target}: missing backlinks {sorted(want - got)}"
        assert got <= {url(p) for p in truth["entries"] if public(truth, p)}, "backlink from a hidden entry"
        n += len(want)
    assert n > 500


def test_hidden_entries_have_no_page_node_or_sitemap_entry(corpus_site: Site) -> None:
    truth = corpus_site.truth
    hidden = [p for p in truth["entries"] if not public(truth, p)]
    assert hidden
    graph = json.loads((corpus_site.out / "graph.json").read_text(encoding="utf-8"))
    nodes = set(graph["ids"])
    sitemap = (corpus_site.out / "sitemap.xml").read_text(encoding="utf-8")
    for p in hidden:
        assert not corpus_site.page(url(p)).exists(), p
        assert slugify(p) not in nodes
        assert f"/{url(p)}<" not in sitemap
    assert len(nodes) == sum(public(truth, p) for p in truth["entries"])


def test_no_private_canary_anywhere_in_the_site(corpus_site: Site) -> None:
    canaries = [c.encode() for c in corpus_site.truth["private_canaries"]]
    assert canaries
    for f in corpus_site.out.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            if f.suffix == ".gz":
                data = gzip.decompress(data)
            for c in canaries:
                assert c not in data, f"{c.decode()} leaked into {f}"


def test_broken_links_render_visibly_and_warn_with_path_line(corpus_site: Site) -> None:
    truth = corpus_site.truth
    broken = [(p, b) for p, e in truth["entries"].items() if public(truth, p) for b in e["broken"]]
    assert broken
    for path, target in broken:
        spans = corpus_site.soup(url(path)).select("span.kb-broken")
        assert any(s.get("title") == f"Broken link: {target}" for s in spans), (path, target)
        assert any(m.startswith(f"{path}:") and f"[[{target}]]" in m for m in corpus_site.warnings), (path, target)


def test_tag_type_and_document_pages(corpus_site: Site) -> None:
    truth = corpus_site.truth
    assert corpus_site.page("tags/").exists() and corpus_site.page("graph/").exists()
    exercise = corpus_site.soup("types/exercise/")
    heads = [th.get_text() for th in exercise.select("table.kb-table th")]
    assert {"muscle", "equipment"} <= set(heads)
    tags = {t for p, e in truth["entries"].items() if public(truth, p) for t in e["tags"]}
    for t in list(tags)[:50]:
        assert corpus_site.page("tags/" + "/".join(slugify(x) for x in t.split("/")) + "/").exists(), t
    docs = [p for p, e in truth["entries"].items() if e["chapters"] and public(truth, p)]
    assert docs
    for doc in docs:
        chapters = [c for c in truth["entries"][doc]["chapters"] if public(truth, c)]
        toc = corpus_site.soup(url(doc)).select_one(".kb-doc-toc")
        assert toc is not None
        order = [Site.resolve_href(url(doc), a["href"]) for a in toc.select("ol a")]
        assert order == [url(c) for c in chapters]
        first = corpus_site.soup(url(chapters[0])).select_one(".kb-prevnext")
        assert first is not None and first.select_one("a.kb-prev") and first.select_one("a.kb-next")


def test_home_page_overview(corpus_site: Site) -> None:
    truth = corpus_site.truth
    home = corpus_site.soup("")
    title = home.title.get_text().strip() if home.title else ""
    name = corpus_site.content.parent.name  # the default site name: the folder holding content/
    assert title in (f"Home - {name}", name), title  # the site name once, not "name - name"
    n_public = sum(1 for p in truth["entries"] if public(truth, p))
    assert f"{n_public} entries" in home.get_text()
    hrefs = {a["href"] for a in home.select(".kb-home-links a")}
    assert {"types/", "tags/", "graph/"} <= hrefs
    tree = json.loads((corpus_site.out / "explorer.json").read_text(encoding="utf-8"))  # the explorer's data

    def walk(node: dict) -> list[str]:
        assert node["n"] not in ("/", ".") and (node["n"] or node is tree)  # no "/" (or unnamed) folder row
        return [u for e in node["e"] for u in [e[1], *(c[1] for c in (e[2] if len(e) > 2 else []))]] + [
            u for d in node["d"] for u in walk(d)]

    listed = walk(tree)
    assert sorted(listed) == sorted(url(p) for p in truth["entries"] if public(truth, p))  # each public entry once
    assert tree["c"] == len(listed)


# -- both sites -----------------------------------------------------------------------------
@pytest.fixture(params=["corpus", "vault"])
def any_site(request: pytest.FixtureRequest) -> Site:
    return request.getfixturevalue(f"{request.param}_site")


def test_no_broken_internal_hrefs(any_site: Site) -> None:
    bad = []
    for f in any_site.html_files():
        page = any_site.url_of(f)
        for href in ATTR.findall(f.read_text(encoding="utf-8")):
            target = Site.resolve_href(page, href.replace("&amp;", "&"))
            if target is None or target.startswith(".."):
                continue
            if not any_site.page(target).exists():
                bad.append(f"{page} -> {href}")
    assert not bad, bad[:20]


def test_no_wikilink_syntax_left_outside_code(any_site: Site) -> None:
    left = []
    for f in any_site.html_files():
        text = TAGS.sub("", CODE.sub("", f.read_text(encoding="utf-8")))
        if "[[" in text:
            i = text.index("[[")
            left.append(f"{any_site.url_of(f)}: {text[max(0, i - 40):i + 40]!r}")
    assert not left, left[:10]


# -- the real vault -------------------------------------------------------------------------
def test_vault_callouts_become_admonitions(vault_site: Site) -> None:
    n = 0
    for f in vault_site.html_files():
        html = f.read_text(encoding="utf-8")
        n += html.count('class="admonition') + html.count("<details")
        text = TAGS.sub("", CODE.sub("", html))
        assert not re.search(r"\[!\w+\]", text), vault_site.url_of(f)
    assert n > 200
    released = vault_site.soup("getting-started/dates/").select(".admonition.released, details.released")
    assert released


def test_vault_comments_are_not_published(vault_site: Site) -> None:
    html = vault_site.page("getting-started/task-dependencies/").read_text(encoding="utf-8")
    assert "This section commented out for now" not in html
    assert "Duplicate <code>id</code> values" not in html
    search = (vault_site.out / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "This section commented out for now" not in search


def test_vault_images_and_embeds(vault_site: Site) -> None:
    imgs = 0
    for f in vault_site.html_files():
        soup_url = vault_site.url_of(f)
        for img in vault_site.soup(soup_url).select("img.kb-image"):
            target = Site.resolve_href(soup_url, img["src"])
            assert target and vault_site.page(target).is_file(), (soup_url, img["src"])
            imgs += 1
    assert imgs > 20
    embeds = vault_site.soup("getting-started/dates/").select(".admonition.kb-embed")
    embedded_anywhere = sum(len(vault_site.soup(vault_site.url_of(f)).select(".admonition.kb-embed"))
                            for f in vault_site.html_files())
    assert embedded_anywhere >= 10 or embeds


def test_vault_heading_links_hit_real_anchors(vault_site: Site) -> None:
    missing, n = [], 0
    for f in vault_site.html_files():
        page = vault_site.url_of(f)
        for a in vault_site.soup(page).select("a.kb-link[href*='#']"):
            href = a["href"]
            path, frag = href.split("#", 1)
            if frag.startswith("^"):
                continue
            target = Site.resolve_href(page, path) if path else page
            assert target is not None
            n += 1
            if vault_site.soup(target).find(id=frag) is None:
                missing.append(f"{page} -> {href}")
    assert n > 20
    assert len(missing) <= n // 20, missing[:10]


def test_vault_code_keeps_wikilinks_literal(vault_site: Site) -> None:
    codes = [c.get_text() for f in vault_site.html_files() for c in vault_site.soup(vault_site.url_of(f)).select("code")
             if "[[" in c.get_text()]
    assert codes, "the vault has wikilinks inside code; they must stay literal"
