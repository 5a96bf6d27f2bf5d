"""One file with very many links builds in time linear in its links; the rewritten links stay exact."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup


def _content(root: Path, links: int) -> Path:
    """50 targets and one entry holding `links` wikilinks, 20 a line, in a single paragraph."""
    root.mkdir(parents=True)
    for i in range(50):
        (root / f"t{i}.md").write_text(f"# T{i}\n", encoding="utf-8")
    lines = (" ".join(f"[[t{(i + j) % 50}]]" for j in range(20)) for i in range(0, links, 20))
    (root / "big.md").write_text("# Big\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return root


def _build(base: Path, links: int, name: str = "") -> float:
    """CPU seconds of this process for one build (wall time would measure the other tests running beside it)."""
    from site_plugins.config import build_site

    content = _content(base / f"c{links}{name}", links)
    t0 = time.process_time()
    build_site(content, base / f"site{links}{name}", store_url=f"sqlite:///{base / f'kb{links}{name}.sqlite'}")
    return time.process_time() - t0


@pytest.mark.slow
def test_build_time_is_linear_in_links(tmp_path: Path) -> None:
    """Budget from a linear baseline in the same run: the link-dependent time may grow 30x for 30x the links,
    times 3 for noise (it grew quadratically: 60,000 links in one paragraph took ~45 s of CPU, now ~3 s)."""
    _build(tmp_path, 0, "-warm")  # imports and first-build caches are not the links' cost
    empty, small, big = _build(tmp_path, 0), _build(tmp_path, 2_000), _build(tmp_path, 60_000)
    budget = empty + 3 * 30 * max(small - empty, 0.1)
    assert big < budget, f"0 links {empty:.1f}s, 2k {small:.1f}s, 60k {big:.1f}s > budget {budget:.1f}s"
    html = (tmp_path / "site60000" / "big" / "index.html").read_text(encoding="utf-8")
    assert html.count('class="kb-link"') == 60_000 and "\ue000" not in html


PAGE = """---
title: Mixed
---
Intro [[T1]] and [[T2|two]] in a paragraph.

## Heading with [[T3]]

Setext with [[T4]]
------------------

!!! note "About [[T5]]"
    Inside [[T6]].

| a | b |
|---|---|
| [[T7]] | x |

> quoted [[T8]]

![[t9]]
"""


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> BeautifulSoup:
    from site_plugins.config import build_site

    base = tmp_path_factory.mktemp("mixed")
    root = base / "content"
    root.mkdir()
    for i in range(10):
        (root / f"t{i}.md").write_text(f"# T{i}\n\nBody of {i}.\n", encoding="utf-8")
    (root / "mixed.md").write_text(PAGE, encoding="utf-8")
    build_site(root, base / "site", store_url=f"sqlite:///{base / 'kb.sqlite'}")
    return BeautifulSoup((base / "site" / "mixed" / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(("css", "href"), [
    ("p a.kb-link", "../t1/"), ("p a.kb-link", "../t2/"), ("h2 a.kb-link", "../t3/"), ("h2 a.kb-link", "../t4/"),
    (".admonition-title a.kb-link", "../t5/"), (".admonition p a.kb-link", "../t6/"), ("td a.kb-link", "../t7/"),
    ("blockquote a.kb-link", "../t8/"), (".kb-embed a.kb-embed-title", "../t9/"),
])
def test_every_kind_of_place_gets_its_link(mixed: BeautifulSoup, css: str, href: str) -> None:
    assert href in [a.get("href") for a in mixed.select(css)]


def test_no_marker_leaks_and_headings_keep_their_anchors(mixed: BeautifulSoup) -> None:
    assert "\ue000" not in str(mixed) and "\ue001" not in str(mixed)
    assert [h.get("id") for h in mixed.select("h2")] == ["heading-with-t3", "setext-with-t4"]
    assert "T3" in [a.get_text() for a in mixed.select(".md-nav--secondary a")][0]
