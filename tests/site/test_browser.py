"""Real headless Chromium over a local http.server: backlinks panel and local graph render."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kbsite import Site, static_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(corpus_site: Site) -> Iterator[str]:
    with static_server(corpus_site.out) as url:
        yield url


def _busiest(site: Site) -> str:
    """A public entry with many backlinks (so the panel and graph have something to show)."""
    truth = site.truth
    from kbsync.paths import slugify

    best = max((p for p in truth["backlinks"] if not (truth["entries"][p]["draft"] or truth["entries"][p]["private"])),
               key=lambda p: len(truth["backlinks"][p]))
    return slugify(best) + "/"


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_entry_page_backlinks_and_local_graph(corpus_site: Site, server: str, browser, tmp_path: Path,  # noqa: ANN001
                                             viewport: tuple[int, int]) -> None:
    url = _busiest(corpus_site)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + url, wait_until="load")
    panel = page.locator(".kb-backlinks")
    assert panel.count() == 1
    n = int(panel.get_attribute("data-count") or 0)
    assert n >= 3 and page.locator(".kb-backlinks a").count() >= n
    graph = page.locator(".kb-graph-local")
    graph.scroll_into_view_if_needed()
    page.wait_for_selector(".kb-graph-local[data-drawn='1']", timeout=10_000)
    assert int(graph.get_attribute("data-nodes") or 0) >= min(n, 80) // 2
    painted = page.evaluate("""() => {
        const c = document.querySelector('.kb-graph-local canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n; }""")
    assert painted > 500, "local graph canvas is blank"
    shot = tmp_path / f"entry-{viewport[0]}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert not errors, errors
    page.close()


def test_global_graph_page(corpus_site: Site, server: str, browser, tmp_path: Path) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "graph/", wait_until="load")
    page.wait_for_selector(".kb-graph-global[data-drawn='1']", timeout=15_000)
    nodes = int(page.locator(".kb-graph-global").get_attribute("data-nodes") or 0)
    assert nodes == len(__import__("json").loads((corpus_site.out / "graph.json").read_text())["ids"])
    page.wait_for_timeout(1500)
    page.screenshot(path=str(tmp_path / "graph.png"))
    page.close()
