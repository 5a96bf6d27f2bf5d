"""Pages read and held compressed until they render (site_plugins/pagehold.py): the same text, the same site."""
from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from kbsite import build
from test_parallel import assert_same_site, content_of

from site_plugins import pagehold, parallel


@pytest.mark.parametrize("content, markdown", [
    ("<p>plain</p>", "plain"),
    ("", ""),  # an empty page is held too
    ("<p>ünïcödé 漢字 🙂</p>", "ünïcödé 漢字 🙂"),
    ("<p>\ud800 lone surrogate</p>", "\udfff"),  # what Python-Markdown may pass through from odd input
    ("<p>x</p>" * 10_000, None),  # no Markdown kept: None back
])
def test_a_held_page_is_restored_to_the_same_text(content: str, markdown: str | None) -> None:
    page = SimpleNamespace(content=content, markdown=markdown)
    pagehold.hold(page)
    assert pagehold.is_held(page) and page.content is None and page.markdown is None
    pagehold.restore(page)
    assert (page.content, page.markdown) == (content, markdown) and not pagehold.is_held(page)
    pagehold.restore(page)  # nothing held: unchanged
    assert (page.content, page.markdown) == (content, markdown)


def test_a_page_never_read_is_not_held() -> None:
    page = SimpleNamespace(content=None, markdown="read, not converted")
    pagehold.hold(page)
    assert not pagehold.is_held(page) and page.markdown == "read, not converted"


def test_a_parallel_build_holds_its_pages_between_the_loops_and_writes_the_same_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest-xdist's I/O thread would stop forking
    content = content_of("corpus", tmp_path)  # over parallel.MIN_PAGES entries
    serial = build(content, tmp_path / "serial", parallel=1)
    seen: list[tuple[int, int]] = []
    real = parallel.exchange

    def exchange(files: Any) -> None:  # at on_env: every page read, none rendered
        if parallel._run and not parallel.is_worker():
            run = parallel._run[0]
            own = [p for p in run.pages if p.file.src_uri in run.own]
            seen.append((len(own), sum(pagehold.is_held(p) and p.content is None for p in own)))
        real(files)

    monkeypatch.setattr(parallel, "exchange", exchange)
    forked = build(content, tmp_path / "parallel", parallel=2)
    assert len(seen) == 1 and seen[0][0] > 100 and seen[0][1] == seen[0][0]
    assert_same_site(serial, forked)
