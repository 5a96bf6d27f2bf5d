"""Site chrome: explorer, dashboard home, right column, link previews, breadcrumbs, dark mode, reader mode.

Browser tests drive Debian's Chromium over the built sample content (a git repository with fixed commit dates)
and save desktop (1400x900) and phone (390x844) screenshots in $KB_SCREENSHOTS (default: pytest's base temp).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kbsite import GEN, ROOT, Site, build, static_server

from kbsync.paths import slugify
from site_plugins.config import build_site
from site_plugins.explorer import breadcrumbs_html, explorer_tree
from site_plugins.index import SiteIndex
from site_plugins.previews import LIMIT, first_section

VIEWPORTS = {"desktop": (1400, 900), "phone": (390, 844)}
EDITED = "2025-03-04"  # the date of the sample's second commit (Squat edited)


# -- units ---------------------------------------------------------------------------------------
def _rec(slug: str, path: str, title: str, vis: str = "public", **more: Any) -> dict[str, Any]:
    return {"slug": slug, "path": path, "title": title, "visibility": vis, "links": [], "backlinks": [], **more}


RECORDS = [
    _rec("start", "Start.md", "Start"),
    _rec("a/x", "a/x.md", "X"),
    _rec("a/hidden", "a/hidden.md", "Hidden", "draft"),
    _rec("a/b/y", "a/b/y.md", "Y"),
    _rec("secret/z", "secret/z.md", "Z", "private"),
    _rec("book/index", "book/index.md", "Book", chapters=["book/zeta", "book/alpha", "book/gone"]),
    _rec("book/zeta", "book/zeta.md", "Zeta", document="book/index"),
    _rec("book/alpha", "book/alpha.md", "Alpha", document="book/index"),
    _rec("book/gone", "book/gone.md", "Gone", "draft", document="book/index"),
]


def test_explorer_tree_folders_counts_documents() -> None:
    tree = explorer_tree(SiteIndex.from_records(RECORDS))
    assert [d["n"] for d in tree["d"]] == ["a"]  # "secret" holds only a private entry; "book" is its document
    a = tree["d"][0]
    assert (a["c"], [e[0] for e in a["e"]], [d["n"] for d in a["d"]]) == (2, ["X"], ["b"])
    book = next(e for e in tree["e"] if e[0] == "Book")
    assert [c[0] for c in book[2]] == ["Zeta", "Alpha"]  # the document's order; hidden chapters left out
    assert [e[0] for e in tree["e"]] == ["Book", "Start"] and tree["c"] == 6
    text = json.dumps(tree)
    assert '"Hidden"' not in text and '"Gone"' not in text and '"Z"' not in text and "secret" not in text


@pytest.mark.parametrize(("html", "has", "lacks"), [
    ("<h1>T</h1>\n<p>one</p>\n<h2>Next</h2><p>two</p>", ["<p>one</p>"], ["T", "two", "Next"]),
    ("<p>intro</p><script>alert(1)</script><p>more</p>", ["intro", "more"], ["script", "alert"]),
    ("<p>only</p>", ["<p>only</p>"], []),
    ("".join(f"<p>para {i} {'w' * 90}</p>\n" for i in range(40)), ["para 0", "</p>"], ["para 39"]),
    (f"<p>{'long &amp; ' * 400}</p>", ["long &amp; long", "…</p>"], ["&amp;amp;"]),
    ("<ul><li>a<ul><li>b</li></ul></li></ul>" + "<p>x</p>" * 400, ["<li>b</li></ul></li></ul>"], []),
], ids=["heading-cut", "script-dropped", "short", "block-cut", "one-huge-block", "nested-list-kept-whole"])
def test_first_section(html: str, has: list[str], lacks: list[str]) -> None:
    out = first_section(html)
    assert len(out) <= LIMIT + 2
    assert all(h in out for h in has), out[:300]
    assert not any(x in out for x in lacks), out[:300]
    assert out.count("<ul>") == out.count("</ul>") and out.count("<p>") == out.count("</p>")


@pytest.mark.parametrize(("slug", "crumbs"), [
    ("a/b/y", ["Home", "a", "b", "Y"]),
    ("start", ["Home", "Start"]),
    ("book/alpha", ["Home", "Book", "Alpha"]),  # the document stands for its own folder
])
def test_breadcrumb_trail(slug: str, crumbs: list[str]) -> None:
    from bs4 import BeautifulSoup

    index = SiteIndex.from_records(RECORDS)
    doc = index.records[slug].get("document")
    html = breadcrumbs_html(index, slug, index.page_url(slug), doc)
    assert [li.get_text() for li in BeautifulSoup(html, "html.parser").select("li")] == crumbs


def test_home_topics_from_discovery_results(tmp_path: Path) -> None:
    from kbsync.discovery.results import Results
    from site_plugins.home import discovery_topics, home_page

    index = SiteIndex.from_records(RECORDS)
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    assert discovery_topics(index, store) == []  # no results beside the store: no card
    res = Results(tmp_path / "discovery.sqlite")
    for i, (label, entries) in enumerate([("squat · bar", ["a/x", "a/b/y", "a/hidden"]), ("ghost", ["secret/z"])]):
        res.db.execute("INSERT INTO discovery_topics VALUES (?,?,?,?)",
                       (i, "public", 1, json.dumps({"id": i, "label": label, "entries": entries})))
    topics = discovery_topics(index, store)
    assert topics == [("squat · bar", 2)]  # counted over public entries; a topic of hidden ones only is left out
    html = home_page(index, "Site", tags=True, types=True, graph=True, documents=[], topics=topics, broken=3).markdown
    assert "squat · bar" in html and "broken links" in html
    assert "broken links" not in home_page(index, "Site", tags=True, types=True, graph=True, documents=[]).markdown


# -- the sample site --------------------------------------------------------------------------------
def _git(cwd: Path, *args: str, date: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The sample content in a git repo of its own: everything committed 2025-01-02, Squat edited on EDITED."""
    base = tmp_path_factory.mktemp("chrome")
    content = base / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".kb*"))
    shutil.copytree(ROOT / "content" / ".kb", content / ".kb")  # type schemas
    _git(base, "init", "-q", date="2025-01-02T10:00:00")
    _git(base, "add", "-A", date="2025-01-02T10:00:00")
    _git(base, "commit", "-qm", "all", date="2025-01-02T10:00:00")
    squat = content / "exercises" / "Squat.md"
    squat.write_text(squat.read_text(encoding="utf-8") + "\nEdited later.\n", encoding="utf-8")
    _git(base, "commit", "-qam", "edit", date=f"{EDITED}T10:00:00")
    return build(content, base / "site")


@pytest.fixture(scope="module")
def server(sample: Site) -> Iterator[str]:
    with static_server(sample.out) as url:
        yield url


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(params=list(VIEWPORTS))
def view(request: pytest.FixtureRequest, browser, shots: Path) -> Iterator[Any]:  # noqa: ANN001
    """A page at the viewport; on teardown its screenshot is saved and no script error may have happened."""
    w, h = VIEWPORTS[request.param]
    page = browser.new_page(viewport={"width": w, "height": h})
    page.kb_errors = errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.kb_size = request.param  # type: ignore[attr-defined]
    yield page
    shot = shots / f"{request.node.originalname}-{request.param}.png"
    page.screenshot(path=str(shot), full_page=False)
    page.close()
    assert shot.stat().st_size > 5_000
    assert not errors, errors


def _on_top(loc: Any) -> bool:
    """The element is what a tap at its left middle would hit (visible and not covered)."""
    loc.scroll_into_view_if_needed()
    return loc.evaluate("e => { const r = e.getBoundingClientRect();"
                        " const hit = document.elementFromPoint(r.x + 3, r.y + r.height / 2);"
                        " return hit === e || e.contains(hit); }")


def _ready(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_selector(".kb-explorer[data-ready='1']", state="attached", timeout=10_000)


@pytest.mark.browser
def test_explorer(sample: Site, server: str, view: Any) -> None:
    tree = json.loads((sample.out / "explorer.json").read_text(encoding="utf-8"))
    _ready(view, server + "guides/home-gym-handbook/02-equipment/")
    side = view.locator(".md-sidebar--primary .kb-explorer-side")
    if view.kb_size == "phone":
        view.locator(".md-header label[for='__drawer']").click()
        for _ in range(3):  # the drawer opens at the chapter's nav level: back (←) to its top level, the explorer's
            level = view.evaluate("[...document.querySelectorAll('.md-nav--primary .md-nav__toggle:checked')]"
                                  ".map(i => i.id).pop() || ''")
            if not level:
                break
            view.locator(f".md-nav--primary label.md-nav__title[for='{level}']").click()
            view.wait_for_timeout(350)
    assert _on_top(side.locator("a.kb-current"))  # seen, not covered by the drawer's panels
    current = side.locator("a.kb-current")
    assert current.count() == 1 and current.inner_text() == "Equipment" and current.is_visible()
    chapters = side.locator(".kb-tree-doc .kb-tree-chapters a").all_inner_texts()
    assert chapters == ["Space", "Equipment", "Programming"]  # the document's order
    folders = {d["n"]: d["c"] for d in tree["d"]}
    shown = {li.get_attribute("data-folder"): int(li.locator(":scope > .kb-count").inner_text())
             for li in side.locator(":scope > ul > li.kb-tree-folder").all()}
    assert shown == folders and "/" not in shown
    people = side.locator("li[data-folder='people']")
    assert people.locator("a").count() == 0  # collapsed folders are not even built
    people.locator(":scope > .kb-tree-toggle").click()
    assert people.locator("a").all_inner_texts() == ["Ada Lovelace", "Grace Hopper"]
    people.locator(":scope > .kb-tree-toggle").click()
    assert not people.locator("a").first.is_visible()
    _ready(view, server + "notes/café-crème/")  # URLs are compared as text, whatever the script
    assert view.locator(".kb-explorer-side a.kb-current").all_inner_texts() == ["Café Crème"]


@pytest.mark.browser
def test_home_dashboard(sample: Site, server: str, view: Any) -> None:
    _ready(view, server)
    stats = view.locator(".kb-stats").inner_text()
    assert "21 entries" in stats and "types" in stats and "tags" in stats
    recent = view.locator(".kb-card-recent li").all_inner_texts()
    assert recent[0].split() == [EDITED, "Squat"]  # git's date of the last change, newest first
    assert all(r.split()[0] <= EDITED for r in recent)
    assert view.locator(".kb-card .kb-type").count() >= 3 and view.locator(".kb-card .kb-tag").count() >= 5
    home = view.locator("[data-kb-explorer=home]")
    names = home.locator(":scope > ul > li.kb-tree-folder").evaluate_all("els => els.map(e => e.dataset.folder)")
    assert names == ["exercises", "guides", "inventory", "notes", "people"]  # no "/" row
    assert home.locator(":scope > ul > li.kb-tree-entry a").all_inner_texts() == ["Start Here"]
    assert "Broken" not in view.locator(".kb-stats").inner_text()  # the owner's count is opt-in


@pytest.mark.browser
def test_right_column(sample: Site, server: str, view: Any) -> None:
    _ready(view, server + "exercises/squat/")
    view.wait_for_selector(".kb-graph-local[data-drawn='1']", state="attached", timeout=10_000)
    in_right = view.locator(".md-sidebar--secondary .kb-right .kb-backlinks")
    if view.kb_size == "desktop":
        assert in_right.is_visible() and view.locator(".md-sidebar--secondary .md-nav--secondary").count() == 1
        assert view.locator(".md-sidebar--secondary .kb-right .kb-graph-local canvas").is_visible()
        assert view.locator(".md-content .kb-backlinks").count() == 0
    else:  # no right column on a phone: the panels stay under the page
        assert in_right.count() == 0 and view.locator(".md-content .kb-backlinks").is_visible()


@pytest.mark.browser
@pytest.mark.parametrize(("option", "right", "below"), [
    ([], [], [".kb-meta", ".kb-backlinks", ".kb-graph-local"]),
    (["metadata"], [".kb-meta"], [".kb-backlinks", ".kb-graph-local"]),
], ids=["none", "metadata"])
def test_right_column_option(sample: Site, browser, tmp_path: Path, option: list[str], right: list[str],  # noqa: ANN001
                             below: list[str]) -> None:
    site = build(sample.content, tmp_path / "site", right_column=option)
    with static_server(site.out) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "exercises/squat/", wait_until="load")
        for css in right:
            assert page.locator(f".md-sidebar--secondary .kb-right {css}").is_visible(), css
        for css in below:
            assert page.locator(f".md-content {css}").count() == 1, css
        page.close()


@pytest.mark.browser
def test_link_preview(sample: Site, server: str, view: Any, shots: Path) -> None:
    requested: list[str] = []
    view.on("request", lambda r: requested.append(r.url))
    _ready(view, server + "exercises/squat/")
    link = view.locator(".md-content a.kb-link", has_text="Squat Rack").first
    link.scroll_into_view_if_needed()
    link.hover() if view.kb_size == "desktop" else link.focus()
    pop = view.locator(".kb-popover")
    pop.wait_for(state="visible", timeout=5_000)
    assert pop.locator(".kb-popover-title").inner_text() == "Squat Rack"
    assert pop.locator(".kb-type").inner_text() == "item"
    target = server + "inventory/squat-rack/"
    assert target + "kb-preview.json" in requested and target not in requested  # the page is never fetched
    hrefs = pop.locator("a[href]").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert all(h.startswith(server) for h in hrefs)  # relative links rebased on the target page
    view.screenshot(path=str(shots / f"test_link_preview-open-{view.kb_size}.png"))
    view.keyboard.press("Escape")
    assert not pop.is_visible()
    tag = view.locator(".md-content .kb-meta a.kb-tag").first  # a tag page is not an entry: no preview asked
    tag.hover() if view.kb_size == "desktop" else tag.focus()
    view.wait_for_timeout(700)
    assert not [r for r in requested if "/tags/" in r and r.endswith("kb-preview.json")]
    assert not pop.is_visible()


@pytest.mark.browser
def test_breadcrumbs(sample: Site, server: str, view: Any) -> None:
    _ready(view, server + "guides/home-gym-handbook/02-equipment/")
    crumbs = view.locator(".kb-crumbs li").all_inner_texts()
    assert crumbs == ["Home", "guides", "Home Gym Handbook", "Equipment"]
    assert view.locator(".kb-crumbs + h1, .kb-crumbs ~ h1").count() >= 1  # above the title
    view.locator("button.kb-crumb-folder[data-folder='guides']").click()
    view.wait_for_timeout(400)
    folder = view.locator(".kb-explorer-side li[data-folder='guides']")
    assert folder.locator(":scope > .kb-tree-toggle").get_attribute("aria-expanded") == "true"
    assert _on_top(folder.locator(":scope > .kb-folder-name"))  # on a phone the drawer opened at the explorer


@pytest.mark.browser
def test_dark_mode_toggle(sample: Site, server: str, view: Any) -> None:
    _ready(view, server + "exercises/squat/")
    assert view.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
    view.locator("form[data-md-component=palette] label:visible").first.click()
    assert view.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    bg = view.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), bg
    view.reload(wait_until="load")
    assert view.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"  # remembered


@pytest.mark.browser
def test_reader_mode(sample: Site, server: str, view: Any) -> None:
    _ready(view, server + "exercises/squat/")
    button = view.locator(".kb-reader-toggle")
    assert button.is_visible() and button.get_attribute("aria-pressed") == "false"
    if view.kb_size == "desktop":
        assert view.locator(".md-sidebar--primary").is_visible()
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    for _ in range(2):  # on, then still on after a reload (localStorage)
        assert view.evaluate("document.documentElement.classList.contains('kb-reader')")
        if view.kb_size == "desktop":  # a phone's left sidebar is Material's drawer, off screen until opened
            assert not view.locator(".md-sidebar--primary").is_visible()
            assert not view.locator(".md-sidebar--secondary").is_visible()
        assert not view.locator(".kb-backlinks").first.is_visible()
        view.reload(wait_until="load")
    view.locator(".kb-reader-toggle").click()
    assert not view.evaluate("document.documentElement.classList.contains('kb-reader')")


# -- nothing hidden leaks ---------------------------------------------------------------------------
def test_no_hidden_text_in_previews_explorer_home(corpus_site: Site) -> None:
    truth = corpus_site.truth
    canaries = truth["private_canaries"]
    assert canaries
    hidden = [p for p, e in truth["entries"].items() if e["draft"] or e["private"]]
    previews = sorted(corpus_site.out.rglob("kb-preview.json"))
    public = [p for p in truth["entries"] if p not in hidden]
    assert {f.parent.relative_to(corpus_site.out).as_posix() for f in previews} == {slugify(p) for p in public}
    files = [corpus_site.out / "explorer.json", corpus_site.out / "index.html", *previews]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert not [c for c in canaries if c in text], f
    explorer = (corpus_site.out / "explorer.json").read_text(encoding="utf-8")
    for p in hidden:
        slug = slugify(p)
        assert not (corpus_site.out / slug / "kb-preview.json").exists(), p
        assert f'"{slug}/"' not in explorer, p


def test_entry_pages_do_not_carry_the_tree(corpus_site: Site) -> None:
    """The explorer is one JSON file: an entry page's links do not grow with the number of entries."""
    tree = json.loads((corpus_site.out / "explorer.json").read_text(encoding="utf-8"))
    assert tree["c"] > 200
    page = next(p for p in sorted(corpus_site.out.glob("*/*/index.html")) if "kb-preview" not in str(p))
    assert page.read_text(encoding="utf-8").count("<a ") < tree["c"] // 2


def test_incremental_build_drops_a_hidden_pages_preview(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(GEN), str(tmp_path), "--entries", "40", "--seed", "5"], check=True,
                   capture_output=True)
    content, site, store = tmp_path / "content", tmp_path / "site", f"sqlite:///{tmp_path / 'kb.sqlite'}"
    build_site(content, site, store_url=store, incremental=True)
    victim = next(p for p in sorted(content.rglob("*.md")) if "draft: true" not in p.read_text()
                  and "private: true" not in p.read_text() and "/people/" not in str(p))
    slug = slugify(str(victim.relative_to(content)))
    assert (site / slug / "kb-preview.json").exists()
    victim.write_text(victim.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")
    build_site(content, site, store_url=store, incremental=True)
    assert not (site / slug / "kb-preview.json").exists()
    assert f'"{slug}/"' not in (site / "explorer.json").read_text(encoding="utf-8")
