"""Metadata is text: the injection corpus built into a site, every place a title, tag or field lands checked."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "injection"
EVIL = "Evil <script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FILE = "<img src=x onerror=alert(1)>"
DIV = "Use <div> & <span> wisely"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from site_plugins.config import build_site

    base = tmp_path_factory.mktemp("injection")
    shutil.copytree(CORPUS, base / "content")
    build_site(base / "content", base / "site", store_url=f"sqlite:///{base / 'kb.sqlite'}")
    return base / "site"


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def texts(site: Path, url: str, css: str) -> list[str]:
    out = [" ".join(e.get_text().split()) for e in soup(site, url).select(css)]
    return [t.rsplit(" - ", 1)[0] for t in out] if css == "title" else out  # "<page> - <site name>"


# (page, CSS selector, text that must be shown literally by one of the matches)
LOCATIONS = [
    ("evil-title/", "title", f"{EVIL}"),
    ("evil-title/", "h1", EVIL),
    ("evil-title/", "[data-md-component=header-topic] .md-ellipsis", EVIL),
    ("evil-title/", ".kb-meta .kb-tag", "#" + IMG),
    ("evil-title/", ".kb-meta .kb-type", FILE),
    ("evil-title/", ".kb-fields dt", FILE),
    ("evil-title/", ".kb-fields dd", "<script>alert(1)</script>"),
    ("evil-title/", ".kb-fields dd", "<svg onload=alert(1)>"),
    ("evil-title/", ".kb-backlinks a", DIV),
    ("evil-title/", "a.kb-link", FILE),
    ("use-div-and-span/", "title", f"{DIV}"),
    ("use-div-and-span/", "h1", DIV),
    ("use-div-and-span/", "[data-md-component=header-topic] .md-ellipsis", DIV),
    ("use-div-and-span/", ".kb-backlinks a", EVIL),
    ("img-src-x-onerror-alert-1/", "title", f"{FILE}"),
    ("img-src-x-onerror-alert-1/", "h1", FILE),
    ("tags/img-src-x-onerror-alert-1/", "title", f"#{IMG}"),
    ("tags/img-src-x-onerror-alert-1/", "h1", "#" + IMG),
    ("tags/img-src-x-onerror-alert-1/", ".kb-table td a", EVIL),  # tag pages are tables (site_plugins/tables.py)
    ("tags/", ".kb-tag-index a", "#" + IMG),
    ("types/", ".md-nav__link", FILE),
    ("types/", ".kb-list a", FILE),
    ("types/img-src-x-onerror-alert-1/", "h1", FILE),
    ("types/img-src-x-onerror-alert-1/", "title", f"{FILE}"),
    ("types/note/", ".kb-table td a", DIV),
    ("", ".kb-list a", EVIL),
    ("", ".kb-explorer a", FILE),
]


@pytest.mark.parametrize(("url", "css", "text"), LOCATIONS, ids=[f"{u or 'home'}:{c}:{t[:12]}" for u, c, t in LOCATIONS])
def test_metadata_is_shown_as_text(site: Path, url: str, css: str, text: str) -> None:
    assert text in texts(site, url, css)


@pytest.mark.parametrize(("url", "name"), [("evil-title/", "author"), ("evil-title/", "description")])
def test_meta_tags_hold_the_value_as_text(site: Path, url: str, name: str) -> None:
    assert soup(site, url).find("meta", attrs={"name": name})["content"] == IMG


def test_h1_of_a_title_with_tags_is_intact(site: Path) -> None:
    h1s = soup(site, "use-div-and-span/").select("article h1, .md-content h1")
    assert len({id(h) for h in h1s}) == 1 and not h1s[0].find_all(True), h1s


def test_no_page_holds_an_injected_element(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 12
    for page in pages:
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        rel = page.relative_to(site)
        assert not doc.select("img[onerror], svg[onload]"), rel
        assert not [s for s in doc.find_all("script") if "alert(1)" in s.get_text()], rel
        assert not [(e.name, a) for e in doc.find_all(True) for a in e.attrs if a.startswith("on")], rel


def test_body_raw_html_is_kept_by_design(site: Path) -> None:
    assert soup(site, "good/").select("b.raw-body")


def test_search_index_titles_and_tags_are_text(site: Path) -> None:
    """Material's search results insert titles and tags as HTML: the index must hold them escaped."""
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    shown = {d["location"]: BeautifulSoup(d["title"], "html.parser") for d in docs}
    for loc, title in [("evil-title/", EVIL), ("use-div-and-span/", DIV), ("img-src-x-onerror-alert-1/", FILE)]:
        assert not shown[loc].find_all(True) and shown[loc].get_text() == title, loc
    tags = next(d["tags"] for d in docs if d["location"] == "evil-title/")
    assert [BeautifulSoup(t, "html.parser").get_text() for t in tags] == [IMG, "plain"]


def test_graph_json_holds_raw_text_for_text_consumers(site: Path) -> None:
    """graph.json is data (kb-graph.js sets textContent / fillText from it), so it keeps the real title."""
    d = json.loads((site / "graph.json").read_text(encoding="utf-8"))
    i = d["ids"].index("evil-title")
    assert d["t"][i] == EVIL and d["types"][d["y"][i]] == FILE


@pytest.fixture(scope="module")
def folder_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from site_plugins.config import build_site

    base = tmp_path_factory.mktemp("injection-folders")
    shutil.copytree(CORPUS, base / "content")
    build_site(base / "content", base / "site", store_url=f"sqlite:///{base / 'kb.sqlite'}", nav="folders")
    return base / "site"


def test_folder_nav_names_and_titles_are_text(folder_site: Path) -> None:
    doc = soup(folder_site, "b-onmouseover-alert-1-dir/child/")  # pruned nav: open where the folder is
    labels = {" ".join(e.get_text().split()) for e in doc.select(".md-nav label, .md-nav a, .md-nav span")}
    assert {"<b onmouseover=alert(1)>dir", "Child <i onmouseover=alert(1)>x</i>", EVIL, FILE} <= labels
    assert not [(e.name, a) for e in doc.find_all(True) for a in e.attrs if a.startswith("on")]


def test_site_name_from_a_folder_name_is_text(tmp_path: Path) -> None:
    """Without a mkdocs.yml the site is named after the content's folder: a file name, so text."""
    from site_plugins.config import build_site

    name = "<img src=x onerror=alert(1)> & co"
    shutil.copytree(CORPUS, tmp_path / name / "content")
    build_site(tmp_path / name / "content", tmp_path / "site", store_url=f"sqlite:///{tmp_path / 'kb.sqlite'}")
    site = tmp_path / "site"
    assert texts(site, "good/", "title") == ["Good"] and soup(site, "good/").title.get_text().endswith(" - " + name)
    assert name in texts(site, "good/", ".md-header__topic .md-ellipsis")
    assert texts(site, "", "h1") == [name] and soup(site, "").title.get_text().strip() in (name, f"Home - {name}")
    for page in site.rglob("*.html"):
        assert not BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("img[onerror]"), page
