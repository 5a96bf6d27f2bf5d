"""The injection corpus in real headless Chromium: every page opened, the evil strings typed into the search box
(kb's typeahead against `kb serve`, and Material's own search without the API); no script of theirs ever runs."""
from __future__ import annotations

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

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "hostile" / "injection"
EVIL = "Evil <script>alert(1)</script>"
FILE = "<img src=x onerror=alert(1)>"
DIV = "Use <div> & <span> wisely"
# What a successful injection would leave in the DOM (the corpus's payloads, and any inline handler at all).
INJECTED = """() => [...document.querySelectorAll('img[onerror], svg[onload], [onmouseover], script')]
    .filter(e => e.tagName !== 'SCRIPT' || e.textContent.includes('alert(1)')).map(e => e.outerHTML)"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`kb serve` (API + site) over a copy of the injection corpus; yields (base URL, built site dir)."""
    base = tmp_path_factory.mktemp("inject-serve")
    shutil.copytree(CORPUS, base / "content")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("KB_STORE_URL", "KB_SITE_DIR", "KB_CONTENT_DIR")}
    env["KB_KEYWORDS"] = "false"
    with (base / "serve.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kbsync", "serve", "--content", str(base / "content"),
                                 "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                raise AssertionError((base / "serve.log").read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(url + "api/ready", timeout=2) as r:
                    if r.status == 200 and b'"site":"building"' not in r.read():  # and the site built
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "kb serve did not become ready"
            time.sleep(0.3)
        yield url, base / "site"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    """A page that records every dialog (alert/confirm/prompt) and dismisses it; none may open (`browser`: the
    session's one Chromium, tests/conftest.py)."""
    p = browser.new_page(viewport={"width": 1280, "height": 800})
    dialogs: list[str] = []
    p.on("dialog", lambda d: (dialogs.append(f"{p.url}: {d.message}"), d.dismiss()))
    yield p
    p.close()
    assert not dialogs, dialogs


def _urls(site: Path) -> list[str]:
    out = []
    for f in sorted(site.rglob("index.html")):
        rel = f.relative_to(site).as_posix()[: -len("index.html")]
        if not rel.startswith("assets/"):
            out.append(rel)
    return out


def test_every_page_opens_without_running_metadata(served, page) -> None:  # noqa: ANN001
    url, site = served
    urls = _urls(site)
    assert {"", "evil-title/", "use-div-and-span/", "img-src-x-onerror-alert-1/",
            "tags/img-src-x-onerror-alert-1/", "types/img-src-x-onerror-alert-1/", "graph/"} <= set(urls)
    for u in urls:
        page.goto(url + u, wait_until="load")
        page.wait_for_timeout(150)  # deferred scripts (graph, typeahead) run
        assert page.evaluate(INJECTED) == [], u
    page.goto(url + "use-div-and-span/", wait_until="load")
    assert page.locator("article h1").inner_text() == DIV
    assert page.title().startswith(DIV)


@pytest.mark.parametrize(("typed", "title"), [("Evil <script>", EVIL), ("<img src=x onerror", FILE),
                                              ("<div> & <span>", DIV)], ids=["script", "img", "div"])
def test_typeahead_shows_evil_titles_as_text(served, page, typed: str, title: str) -> None:  # noqa: ANN001
    url, _ = served
    page.goto(url + "good/", wait_until="load")
    page.wait_for_function("() => window.kb && window.kb.typeahead === 'api'", timeout=10_000)
    box = page.locator("input.md-search__input")
    box.click()
    box.type(typed, delay=20)
    page.locator("#kb-ta-list[data-query]").wait_for(timeout=10_000)
    page.wait_for_function("q => document.querySelector('#kb-ta-list').dataset.query === q", arg=typed)
    assert title in page.locator(".kb-ta-hit .kb-ta-title").all_inner_texts()
    assert page.evaluate(INJECTED) == []
    page.goto(url + "search/?query=" + urllib.request.quote(typed), wait_until="load")  # full-text results page
    page.wait_for_timeout(500)
    assert page.evaluate(INJECTED) == []


@pytest.mark.parametrize(("typed", "title"), [("Evil", EVIL), ("onerror", FILE), ("wisely", DIV)],
                         ids=["script", "img", "div"])
def test_material_search_results_show_evil_titles_as_text(served, page, tmp_path: Path,  # noqa: ANN001
                                                          typed: str, title: str) -> None:
    """Without the API Material's own search answers from search_index.json, inserting titles as HTML."""
    import functools
    import http.server
    import threading

    _, site = served
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page.route("**/typeahead.json", lambda r: r.abort())  # no static name index: Material's search answers
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/good/", wait_until="load")
        page.wait_for_function("() => window.kb && window.kb.typeahead === 'material'", timeout=10_000)
        box = page.locator("input.md-search__input")
        box.click()
        box.type(typed, delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        shown = [" ".join(t.split()) for t in page.locator(".md-search-result__article h1").all_inner_texts()]
        assert title in shown
        assert page.evaluate(INJECTED) == []
        page.unroute("**/typeahead.json")  # the static typeahead (typeahead.json) shows them as text too
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/good/", wait_until="load")
        page.wait_for_function("() => window.kb && window.kb.typeahead === 'static'", timeout=10_000)
        box.click()
        box.type(typed, delay=20)
        page.wait_for_function("q => (document.querySelector('#kb-ta-list') || {dataset: {}}).dataset.query === q",
                               arg=typed, timeout=10_000)
        assert title in page.locator(".kb-ta-hit .kb-ta-title").all_inner_texts()
        assert page.evaluate(INJECTED) == []
    finally:
        httpd.shutdown()
        httpd.server_close()
