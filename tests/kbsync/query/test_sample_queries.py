"""The sample content's queries (content/guides/Dashboards.md, content/inventory/Inventory.base) run cleanly."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kbsync.query import PageSet, render_html
from kbsync.query.bases import render_base
from kbsync.query.blocks import find_blocks
from kbsync.store import open_store
from kbsync.sync import sync_content

CONTENT = Path(__file__).resolve().parents[3] / "content"


@pytest.fixture(scope="module")
def sample_pages(tmp_path_factory: pytest.TempPathFactory) -> PageSet:
    store = open_store(f"sqlite://{tmp_path_factory.mktemp('sample') / 'kb.sqlite'}")
    sync_content(CONTENT, store)
    pages = PageSet(list(store.entries()), "public")
    store.close()
    return pages


def _views(html: str) -> list:
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".kb-query-error") is None, html
    return soup.select("div.kb-query")


def test_dashboards(sample_pages: PageSet) -> None:
    blocks = find_blocks((CONTENT / "guides" / "Dashboards.md").read_text(encoding="utf-8"))
    assert [b.lang for b in blocks] == ["dataview", "dataview", "dataview", "base"]
    by_muscle, inventory, recent = (_views(render_html(b.text, sample_pages, this="guides/dashboards"))[0]
                                    for b in blocks[:3])
    groups = {tr.td.get_text(): [a.get_text() for a in tr.select("td")[1].select("a")]
              for tr in by_muscle.select("tbody tr")}
    assert groups == {"back": ["Deadlift"], "chest": ["Push-up"], "legs": ["Romanian Deadlift", "Squat"]}
    assert [[td.get_text() for td in tr.select("td")] for tr in inventory.select("tbody tr")] == [
        ["garage", "KettlebellSquat Rack", "3"]]  # links show file names, as in Dataview
    names = [tr.td.get_text() for tr in recent.select("tbody tr")]
    assert 1 <= len(names) <= 5 and "Draft Plan" not in names and "Private Journal" not in names
    cards = _views(render_base(blocks[3].text, sample_pages))[0]
    assert [c.h4.get_text() for c in cards.select("article")] == ["Deadlift", "Squat"]


def test_inventory_base(sample_pages: PageSet) -> None:
    (view,) = _views(render_base((CONTENT / "inventory" / "Inventory.base").read_text(encoding="utf-8"), sample_pages))
    assert [th.get_text() for th in view.select("th")] == ["Item", "Where", "quantity"]
    assert [tr.td.get_text() for tr in view.select("tbody tr")] == ["Kettlebell (2)", "Squat Rack (1)"]
