"""Local graph files written by the process beside the pages (site_plugins/graph_beside.py): the same files, and
the same state kept for later builds, as when the end of the build writes them."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from kbsite import ROOT, build
from test_parallel import assert_same_site

from kbsync.testing.corpus import ensure
from site_plugins import graph_beside, graph_site, parallel
from site_plugins.graph_live import LiveGraph
from site_plugins.graph_local import LocalGraphs


def kept(out: Path) -> tuple:
    site = graph_site.SITES[graph_site.site_key(str(out))]
    # the graph's state: not its graph.json path, nor the `_ids` cache (LiveGraph._OWN)
    live = site.live.__getstate__()
    return site.local.kept, site.local.digest, site.urls, site.types, live


@pytest.mark.parametrize("name, min_pages", [("sample", 2), ("corpus", parallel.MIN_PAGES)])
@pytest.mark.parametrize("child_fails", [False, True])
def test_local_graphs_written_beside_equal_the_serial_ones(name: str, min_pages: int, child_fails: bool,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PAGES", min_pages)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest-xdist's I/O thread would stop forking
    content = ROOT / "content" if name == "sample" else ensure(tmp_path / "corpus", 300)[0]
    serial = build(content, tmp_path / "serial", parallel=1)
    want = kept(serial.out)
    parent = os.getpid()
    written_here: list[int] = []
    made_here: list[int] = []  # the graph made (not handed over) in this process
    real_iter, real_write, real_full = LocalGraphs.iter_all, graph_beside._write_local, LiveGraph.full

    def iter_all(self: LocalGraphs):  # noqa: ANN202
        written_here.append(os.getpid())
        return real_iter(self)

    def write_local(site_dir: str, index: object) -> bytes:
        if child_fails and os.getpid() != parent:
            os._exit(3)  # the process dies without a result: the parent writes the files itself
        return real_write(site_dir, index)

    def full(index: object) -> LiveGraph:
        if os.getpid() == parent:
            made_here.append(parent)
        return real_full(index)  # type: ignore[arg-type]

    monkeypatch.setattr(LocalGraphs, "iter_all", iter_all)
    monkeypatch.setattr(LiveGraph, "full", staticmethod(full))
    monkeypatch.setattr(graph_beside, "_write_local", write_local)
    beside = build(content, tmp_path / "beside", parallel=2)
    assert_same_site(serial, beside)
    assert kept(beside.out) == want
    assert (parent in written_here) == child_fails  # the end of the build laid out no local graph itself
    assert bool(made_here) == child_fails  # nor made the graph again: the forked process handed it over
