"""A cold build whose graph files were written beside the pages keeps the graph state as bytes
(site_plugins/graph_kept.py): made live only when a later build asks, then equal to a serial build's."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from kbsite import ROOT, build
from test_parallel import assert_same_site, tree

from kbsync.testing.corpus import ensure
from site_plugins import graph_kept, graph_site, parallel


def held(out: Path) -> object:
    """What SITES holds for the site at `out`, as it is (not made live by reading it)."""
    return dict.__getitem__(graph_site.SITES, graph_site.site_key(str(out)))


def state(out: Path) -> tuple:
    site = graph_site.SITES[graph_site.site_key(str(out))]
    return (site.live.__getstate__(), site.live.path and Path(site.live.path).name,
            site.local.kept, site.local.digest, site.urls, site.types)


def edit(content: Path) -> None:
    """A new title and a new link in one entry (both move the graph)."""
    files = sorted(p for p in content.rglob("*.md") if "_templates" not in p.parts and p.name != "index.md")
    page, other = files[0], files[-1]
    text = page.read_text(encoding="utf-8")
    page.write_text(f"---\ntitle: Renamed Entry\n---\n{text}\n\nSee [[{other.stem}]].\n", encoding="utf-8")


@pytest.mark.parametrize("name, min_pages", [("sample", 2), ("corpus", parallel.MIN_PAGES)])
def test_a_beside_build_keeps_bytes_made_live_equal_to_a_serial_builds_state(
        name: str, min_pages: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PAGES", min_pages)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest-xdist's I/O thread would stop forking
    source = ROOT / "content" if name == "sample" else ensure(tmp_path / "corpus", 300)[0]
    content = tmp_path / "content"
    shutil.copytree(source, content)
    serial = build(content, tmp_path / "serial", parallel=1)
    beside = build(content, tmp_path / "beside", parallel=2)
    assert_same_site(serial, beside)
    assert isinstance(held(beside.out), graph_kept.Pending)  # the build process made no graph objects
    assert not isinstance(held(serial.out), graph_kept.Pending)
    assert graph_site.settle(0)  # nothing behind a kept graph to wait for
    assert state(beside.out) == state(serial.out)
    assert not isinstance(held(beside.out), graph_kept.Pending)  # made live once, by that read

    edit(content)  # a later build of each updates its graph in place: the same graph files
    serial = build(content, serial.out, parallel=1, incremental=True)
    beside = build(content, beside.out, parallel=2, incremental=True)
    assert graph_site.settle(120)  # an edit's layout runs behind and rewrites graph.json: compare what it settles to
    assert graph_files(beside.out) == graph_files(serial.out)
    assert state(beside.out) == state(serial.out)


def graph_files(out: Path) -> dict[str, bytes]:
    got = {name: data for name, data in tree(out).items() if name.endswith(("kb-local.json", "graph.json",
                                                                           "graph-types.json"))}
    assert "graph.json" in got and len(got) > 3
    return got


def test_a_pending_graph_is_made_live_at_the_first_incremental_publish(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    beside = build(content, tmp_path / "beside", parallel=2)
    assert isinstance(held(beside.out), graph_kept.Pending)
    made: list[graph_kept.Pending] = []
    real = graph_site.SITES.make
    monkeypatch.setattr(graph_site.SITES, "make", lambda p: made.append(p) or real(p))
    edit(content)
    build(content, beside.out, parallel=2, incremental=True)
    assert len(made) == 1 and not isinstance(held(beside.out), graph_kept.Pending)
