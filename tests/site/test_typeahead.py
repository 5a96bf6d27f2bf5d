"""The search-box typeahead against a real `kb serve` (API + site on one port), in real headless Chromium.

Without the API (a static http.server, or the API failing mid-way) Material's own search must still work.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from kbsite import ROOT, static_server

pytestmark = pytest.mark.browser
ENTRY = "notes/training-log/"  # any entry page: the search box is in the header of every page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(base: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m kbsync serve` on a copy of content/ under `base`, once `/api/health` answers."""
    shutil.copytree(ROOT / "content", base / "content")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("KB_STORE_URL", "KB_SITE_DIR", "KB_CONTENT_DIR")}
    env["KB_KEYWORDS"] = "false"
    with (base / "serve.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kbsync", "serve", "--content", str(base / "content"),
                                 "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise AssertionError((base / "serve.log").read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(url + "api/ready", timeout=2) as r:  # read model loaded
                if r.status == 200 and b'"site":"building"' not in r.read():  # and the site built
                    return proc, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("kb serve did not answer /api/health")
        time.sleep(0.3)


def _stop(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then the exit code (killed after 30 s)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


@pytest.fixture(scope="module")
def kb_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A running `kb serve`; yields (base URL, built site dir)."""
    base = tmp_path_factory.mktemp("serve")
    proc, url = _start(base)
    try:
        yield url, base / "site"
    finally:
        _stop(proc)  # its exit code is test_sigterm_exits_0's business


@pytest.fixture
def page(browser, tmp_path: Path):  # noqa: ANN001, ANN201
    p = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    outside: list[str] = []
    p.route(lambda u: not u.startswith("http://127.0.0.1"), lambda r: (outside.append(r.request.url), r.abort()))
    yield p
    p.close()
    assert not errors, errors
    assert not outside, outside  # no CDN, no web fonts


@contextlib.contextmanager
def _static(page, site: Path) -> Iterator[str]:  # noqa: ANN001
    """A static server for `site` that outlives the page's requests: the page leaves before the server stops (a
    fetch Material starts after the test's last step would otherwise fail as a 'Network error' page error)."""
    with static_server(site) as url:
        yield url
        page.goto("about:blank")


def _open(page, url: str, mode: str) -> None:  # noqa: ANN001
    page.goto(url, wait_until="load")
    page.wait_for_function("m => window.kb && window.kb.typeahead === m", arg=mode, timeout=10_000)
    page.locator("input.md-search__input").click()


@pytest.mark.parametrize(("typed", "alias"), [("squ", None), ("back squ", "Back Squat")], ids=["title", "alias"])
def test_suggest_keyboard_enter_opens_entry(kb_serve, page, tmp_path: Path, typed: str, alias: str | None) -> None:  # noqa: ANN001
    url, _ = kb_serve
    _open(page, url + ENTRY, "api")
    box = page.locator("input.md-search__input")
    box.type(typed, delay=40)
    # wait for the answer to the whole text, not to a prefix typed on the way (its list may differ)
    page.locator(f'#kb-ta-list[data-query="{typed}"]').wait_for(timeout=10_000)
    first = page.locator(".kb-ta-hit").first
    assert first.locator(".kb-ta-title").inner_text() == "Squat"
    assert first.locator(".kb-ta-type").inner_text() == "exercise"
    if alias:
        assert first.locator(".kb-ta-alias").inner_text() == alias
    else:
        assert first.locator(".kb-ta-alias").count() == 0
    assert page.locator(".md-search-result").is_hidden()  # Material's list is replaced, not stacked
    # accessibility: combobox -> listbox of options, the active one named by aria-activedescendant
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "true"
    assert page.locator("#kb-ta-list").get_attribute("role") == "listbox"
    opts = page.locator('#kb-ta-list [role="option"]')
    n = opts.count()
    assert n >= 2 and "Search all for" in opts.nth(n - 1).inner_text()
    assert box.get_attribute("aria-activedescendant") == opts.nth(0).get_attribute("id")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == opts.nth(1).get_attribute("id")
    assert opts.nth(1).get_attribute("aria-selected") == "true" and opts.nth(0).get_attribute("aria-selected") == "false"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == opts.nth(0).get_attribute("id")
    page.screenshot(path=str(tmp_path / f"typeahead-{typed.replace(' ', '_')}.png"))
    box.press("Enter")
    page.wait_for_url(url + "exercises/squat/", timeout=10_000)
    assert page.locator("h1").first.inner_text() == "Squat"


def test_fast_typing_then_enter_waits_for_the_answer(kb_serve, page) -> None:  # noqa: ANN001
    url, _ = kb_serve
    _open(page, url + ENTRY, "api")
    page.keyboard.type("squat ra")  # no delay: Enter lands inside the debounce window
    page.keyboard.press("Enter")
    page.wait_for_url(url + "inventory/squat-rack/", timeout=10_000)


def test_escape_closes_the_list(kb_serve, page) -> None:  # noqa: ANN001
    url, _ = kb_serve
    _open(page, url + ENTRY, "api")
    box = page.locator("input.md-search__input")
    box.type("squ", delay=40)
    page.locator('#kb-ta-list[data-query="squ"] .kb-ta-hit').first.wait_for(timeout=10_000)
    box.press("Escape")
    assert page.locator(".kb-ta-hit").count() == 0
    assert box.get_attribute("aria-expanded") == "false" and box.get_attribute("aria-activedescendant") is None


def test_search_all_shows_full_text_hits_with_pages(kb_serve, page, tmp_path: Path) -> None:  # noqa: ANN001
    url, _ = kb_serve
    _open(page, url + ENTRY, "api")
    page.locator("input.md-search__input").type("the", delay=40)
    page.locator('#kb-ta-list[data-query="the"] .kb-ta-all').wait_for(timeout=10_000)  # not a "th" list
    page.locator(".kb-ta-all").click()
    page.wait_for_url(url + "search/?query=the", timeout=10_000)
    page.locator(".kb-result").first.wait_for(timeout=10_000)
    hits = page.locator(".kb-result")
    assert hits.count() == 10  # 11 entries contain "the": one page of 10, then the next page
    assert page.locator(".kb-result-snippet mark").count() >= 5
    assert page.locator(".kb-result-snippet script, .kb-result-snippet *:not(mark)").count() == 0
    status = page.locator(".kb-results-status").inner_text()
    assert status.startswith("11 results"), status
    page.screenshot(path=str(tmp_path / "results-1.png"), full_page=True)
    page.locator(".kb-next").click()
    page.wait_for_url(url + "search/?query=the&offset=10", timeout=10_000)
    page.locator(".kb-result").first.wait_for(timeout=10_000)
    assert page.locator(".kb-result").count() == 1 and page.locator(".kb-prev").count() == 1
    assert page.locator(".kb-next").count() == 0
    href = page.locator(".kb-result-title").first.get_attribute("href") or ""
    assert href.startswith(url) and href.endswith("/")


def test_api_failing_midway_falls_back_to_material(kb_serve, page, tmp_path: Path) -> None:  # noqa: ANN001
    url, _ = kb_serve
    _open(page, url + ENTRY, "api")
    page.route("**/api/suggest*", lambda route: route.abort())
    page.locator("input.md-search__input").type("squat", delay=40)
    page.wait_for_function("() => window.kb.typeahead === 'material'", timeout=10_000)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    assert page.locator(".kb-ta").is_hidden()
    page.screenshot(path=str(tmp_path / "fallback-midway.png"))


@pytest.mark.parametrize(("typed", "title", "alias"), [
    ("sqaut", "Squat", None),  # a typo, matched in the browser
    ("back squ", "Squat", "Back Squat"),  # an alias
    ("bakc squat", None, None),  # a four-letter word gets no typo (as the API rules)
    ("romanain", "Romanian Deadlift", None),
], ids=["typo", "alias", "short-word", "typo-in-first-word"])
def test_static_site_typeahead_from_the_prebuilt_index(kb_serve, page, tmp_path: Path, typed: str,  # noqa: ANN001
                                                       title: str | None, alias: str | None) -> None:
    _, site = kb_serve
    with _static(page, site) as url:  # plain files: no /api at all
        _open(page, url + ENTRY, "static")
        box = page.locator("input.md-search__input")
        box.type(typed, delay=40)
        page.locator(f'#kb-ta-list[data-query="{typed}"]').wait_for(timeout=10_000)
        hits = page.locator(".kb-ta-hit")
        if title is None:
            assert hits.count() == 0
            return
        first = hits.first
        assert first.locator(".kb-ta-title").inner_text() == title
        assert first.locator(".kb-ta-alias").all_inner_texts() == ([alias] if alias else [])
        assert page.locator(".md-search-result").is_hidden()
        page.screenshot(path=str(tmp_path / f"static-{typed.replace(' ', '_')}.png"))
        box.press("Enter")
        page.wait_for_url(lambda u: u != url + ENTRY and u.startswith(url), timeout=10_000)
        assert page.locator("h1").first.inner_text() == title


def test_static_site_without_an_index_keeps_material_search(kb_serve, page, tmp_path: Path) -> None:  # noqa: ANN001
    _, built = kb_serve
    site = tmp_path / "site"
    shutil.copytree(built, site)
    (site / "typeahead.json").unlink()  # not a kb build, or the file did not deploy
    with _static(page, site) as url:
        _open(page, url + ENTRY, "material")
        page.locator("input.md-search__input").type("squat", delay=40)
        item = page.locator(".md-search-result__item").first
        item.wait_for(timeout=10_000)
        assert "Squat" in page.locator(".md-search-result").inner_text()
        assert page.locator(".kb-ta").is_hidden() and page.locator(".kb-ta-hit").count() == 0
        page.screenshot(path=str(tmp_path / "material-search.png"))
        page.keyboard.press("ArrowDown")  # Material's own keyboard navigation still works
        page.keyboard.press("Enter")
        page.wait_for_url(lambda u: u != url + ENTRY and u.startswith(url), timeout=10_000)


def test_static_results_page_hands_the_query_to_material(kb_serve, page) -> None:  # noqa: ANN001
    _, site = kb_serve
    with _static(page, site) as url:
        page.goto(url + "search/?query=deadlift", wait_until="load")
        page.wait_for_function("() => window.kb.typeahead === 'material'", timeout=10_000)
        assert "not reachable" in page.locator(".kb-results-status").inner_text()
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        assert "Deadlift" in page.locator(".md-search-result").inner_text()


def test_results_page_forgives_typos_and_filters_by_facets(kb_serve, page, tmp_path: Path) -> None:  # noqa: ANN001
    url, _ = kb_serve
    page.goto(url + "search/?query=sqaut", wait_until="load")
    page.locator(".kb-result").first.wait_for(timeout=10_000)
    assert "typos corrected" in page.locator(".kb-results-status").inner_text()
    assert "Squat" in page.locator(".kb-result-title").all_inner_texts()
    page.goto(url + "search/?query=deadlift", wait_until="load")
    page.locator(".kb-facets").wait_for(timeout=10_000)
    types = page.locator('.kb-facet[data-facet="type"] .kb-facet-value')
    counts = {t.get_attribute("data-value"): int(t.locator(".kb-count").inner_text()) for t in types.all()}
    total = int(page.locator(".kb-results-status").inner_text().split()[0])
    assert sum(counts.values()) == total and "exercise" in counts, counts
    assert page.locator('.kb-facet[data-facet="tag"] .kb-facet-value').count() >= 1
    page.screenshot(path=str(tmp_path / "facets.png"), full_page=True)
    types.filter(has_text="exercise").first.click()
    page.wait_for_url(lambda u: "type=exercise" in u, timeout=10_000)
    page.locator(".kb-result").first.wait_for(timeout=10_000)
    assert page.locator(".kb-result").count() == counts["exercise"]
    assert {t.strip() for t in page.locator(".kb-result .kb-dim").all_inner_texts()} == {"exercise"}
    chosen = page.locator(".kb-facet-on")
    assert chosen.count() == 1 and chosen.get_attribute("aria-current") == "true"
    page.screenshot(path=str(tmp_path / "facets-exercise.png"), full_page=True)
    chosen.click()  # choosing it again lifts the filter
    page.wait_for_url(lambda u: "type=" not in u, timeout=10_000)
    snippets = page.locator(".kb-result-snippet")
    snippets.first.wait_for(timeout=10_000)
    assert not any(c in t for t in snippets.all_inner_texts() for c in "|[]#$"), snippets.all_inner_texts()


def test_sigterm_exits_0(tmp_path: Path) -> None:
    """`kb serve` shuts down gracefully on SIGTERM and exits 0 (the watcher's batch commits first)."""
    proc, url = _start(tmp_path)
    with urllib.request.urlopen(url + "api/suggest?q=squ", timeout=5) as r:
        assert b"Squat" in r.read()
    code = _stop(proc)
    assert code == 0, f"exit code {code}\n" + (tmp_path / "serve.log").read_text(errors="replace")[-2000:]
