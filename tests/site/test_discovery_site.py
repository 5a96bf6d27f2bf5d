"""Entry pages show keywords, topics, related entries, a collapsed "Unlinked mentions" panel and backlink context;
a `topics/` page lists each topic's entries; every name is escaped text; nothing hidden reaches any output file;
real Chromium renders the panels (desktop and phone screenshots under the run's tmp `artifacts/`)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from kbsite import Site, build, static_server

import kbsync
from kbsync.settings import Settings
from tests.conftest import write
from tests.discovery_sample import CANARY, HIDDEN, make

MARKUP = 'Lift <b>Bold</b> & "Co"'  # a title that must print as text


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("discsite")
    content = make(root)
    write(content, {"Lift Notes.md": f"---\ntitle: '{MARKUP}'\n---\nA heavy [[Squat]] day & more. Squat again.\n"})
    with kbsync.open(content, f"sqlite:///{root / 'kb.sqlite'}", settings=Settings(keywords=True)) as kb:
        kb.sync()  # keywords in the store (the site reads them; its own sync leaves unchanged entries alone)
    return build(content, root / "site")


def test_entry_page_panels(site: Site) -> None:
    s = site.soup("squat/")
    kw = s.select(".kb-discovery .kb-keyword")
    assert kw and all(k.get_text().strip() for k in kw)
    related = s.select(".kb-related li")
    assert 0 < len(related) <= 5 and all(float(li.select_one(".kb-score").get_text()) > 0 for li in related)
    assert "Squats" in [li.a.get_text() for li in related]
    unlinked = s.select_one("details.kb-unlinked")
    assert unlinked is not None and not unlinked.has_attr("open")  # collapsed
    assert "Training Log" in [a.get_text() for a in unlinked.select("a")] and "Training Log.md:5" in unlinked.get_text()
    side = s.select_one(".kb-side")
    assert side is not None and str(side).index("kb-backlinks") < str(side).index("kb-unlinked")  # under backlinks
    ctx = {li.a.get_text(): li.select_one(".kb-bl-context").get_text() for li in s.select(".kb-backlinks li")
           if li.select_one(".kb-bl-context")}
    assert ctx == {"Squat Rack": "Set the safeties for a Squat session first.",
                   "Training Log": "See the squat page for cues.", MARKUP: "A heavy Squat day & more."}


def test_topics_link_to_the_topics_page(site: Site) -> None:
    topics_page = site.soup("topics/")
    ids = {sec["id"]: [a.get_text() for a in sec.select("li a")] for sec in topics_page.select(".kb-topic-group")}
    assert ids and all(len(v) >= 3 for v in ids.values())
    found = False
    for f in site.html_files():
        url = site.url_of(f)
        for a in site.soup(url).select(".kb-topics a"):
            target = site.resolve_href(url, a["href"])
            assert target is not None and target.startswith("topics/") and a["href"].split("#")[1] in ids
            found = True
    assert found


def test_names_are_escaped_text(site: Site) -> None:
    html = site.page("squat/").read_text(encoding="utf-8")
    assert "<b>Bold</b>" not in html and "Lift &lt;b&gt;Bold&lt;/b&gt; &amp;" in html
    assert "A heavy Squat day &amp; more." in html


def test_no_hidden_text_slug_or_title_in_any_output_file(site: Site) -> None:
    leaks = []
    for f in site.out.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".json", ".xml", ".js", ".txt", ".css"):
            text = f.read_text(encoding="utf-8", errors="replace")
            if CANARY.lower() in text.lower() or any(h in text for h in HIDDEN):
                leaks.append(str(f.relative_to(site.out)))
    assert not leaks


@pytest.fixture(scope="module")
def server(site: Site) -> Iterator[str]:
    with static_server(site.out) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_browser_shows_the_discovery_panels(site: Site, server: str, browser, viewport: tuple[int, int],  # noqa: ANN001
                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "squat/", wait_until="load")
    assert page.locator(".kb-discovery .kb-keyword").first.is_visible()
    assert page.locator(".kb-topics a").first.is_visible()
    related = page.locator(".kb-related li")
    related.first.scroll_into_view_if_needed()
    assert related.count() >= 2 and related.first.is_visible()
    assert page.locator(".kb-bl-context").first.is_visible()
    items = page.locator(".kb-unlinked li")
    assert items.count() >= 1 and not items.first.is_visible()  # collapsed until asked
    page.locator(".kb-unlinked summary").click()
    assert items.first.is_visible()
    artifacts = tmp_path_factory.getbasetemp() / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / f"discovery-entry-{viewport[0]}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.locator(".kb-topics a").first.click()
    page.wait_for_url("**/topics/**")
    assert page.locator(".kb-topic-group").count() >= 1
    page.screenshot(path=str(artifacts / f"discovery-topics-{viewport[0]}.png"), full_page=True)
    assert not errors, errors
    page.close()
