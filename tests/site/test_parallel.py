"""Pages rendered by forked workers (site_plugins/parallel.py): the site is byte-identical to a one-process build."""
from __future__ import annotations

import gzip
import os
import threading
from collections import Counter
from pathlib import Path

import pytest
from kbsite import ROOT, VAULT, Site, build

from kbsync.testing.corpus import ensure
from site_plugins import discovery_later, parallel, topics


def tree(out: Path) -> dict[str, bytes]:
    """Every file of a site, gzip files by their content (the header carries the time of writing)."""
    files = {}
    for p in sorted(out.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            files[p.relative_to(out).as_posix()] = gzip.decompress(data) if p.suffix == ".gz" else data
    return files


def assert_same_site(a: Site, b: Site) -> None:
    ta, tb = tree(a.out), tree(b.out)
    assert sorted(ta) == sorted(tb)
    differ = [name for name in ta if ta[name] != tb[name]]
    assert not differ, differ[:10]
    assert Counter(a.warnings) == Counter(b.warnings)  # a worker's warnings reach the parent's handlers


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pids of the page workers the builds run while the test runs forked (and reaped)."""
    pids: list[int] = []
    real = parallel._reap

    def reap(run: parallel._Run) -> None:
        pids.extend(run.pids)
        real(run)

    monkeypatch.setattr(parallel, "_reap", reap)
    # pytest-xdist's workers run an idle I/O thread, which makes the plugin stay in one process: not ours to fear
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    return pids


def content_of(name: str, tmp_path: Path) -> Path:
    if name == "sample":
        return ROOT / "content"
    if name == "vault":
        return VAULT
    return ensure(tmp_path / "corpus", 300)[0]


@pytest.mark.parametrize("name, workers, min_pages", [
    ("sample", 2, 2),  # 23 entries, documents, attachments, typed entries
    ("vault", 3, 2),  # a real Obsidian vault (callouts, embeds, queries), three processes
    ("corpus", 2, parallel.MIN_PAGES),  # 300 generated entries at the default threshold
])
def test_parallel_build_equals_serial(name: str, workers: int, min_pages: int, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    monkeypatch.setattr(parallel, "MIN_PAGES", min_pages)
    content = content_of(name, tmp_path)
    serial = build(content, tmp_path / "serial", parallel=1)
    assert forks == []
    par = build(content, tmp_path / "parallel", parallel=workers)
    assert len(forks) == workers - 1
    assert_same_site(serial, par)


def _in_worker(parent: int) -> bool:
    return os.getpid() != parent


@pytest.mark.parametrize("phase", ["read", "render"])
def test_a_dead_worker_pages_are_rendered_by_the_parent(phase: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        forks: list[int]) -> None:
    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    content = ROOT / "content"
    serial = build(content, tmp_path / "serial", parallel=1)
    parent = os.getpid()
    if phase == "read":
        from site_plugins.links import LinkManager

        real = LinkManager.render
        monkeypatch.setattr(LinkManager, "render", lambda self, *a, **k: os._exit(3) if _in_worker(parent)
                            else real(self, *a, **k))
    else:
        import site_plugins.plugin_context as context_module

        real_graph = context_module.local_graph_html
        monkeypatch.setattr(context_module, "local_graph_html", lambda *a, **k: os._exit(3) if _in_worker(parent)
                            else real_graph(*a, **k))
    par = build(content, tmp_path / "parallel", parallel=2)
    assert len(forks) == 1
    stopped = "kb: a page worker stopped; the main process renders its pages"
    assert par.warnings.count(stopped) == 1
    par.warnings.remove(stopped)
    assert_same_site(serial, par)
    assert not parallel._run


def test_a_worker_error_fails_the_build_naming_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         forks: list[int]) -> None:
    from site_plugins.links import LinkManager

    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    parent = os.getpid()
    real = LinkManager.render

    def render(self, markdown: str, src: str, *a, **k) -> str:  # noqa: ANN001, ANN002, ANN003
        if _in_worker(parent):
            raise ValueError(f"bad page {src}")
        return real(self, markdown, src, *a, **k)

    monkeypatch.setattr(LinkManager, "render", render)
    from site_plugins import forking
    from site_plugins.config import build_site

    beside: list[int] = []
    real_beside = forking.beside
    monkeypatch.setattr(forking, "beside", lambda *a: beside.append((job := real_beside(*a)).pid) or job)
    monkeypatch.setattr(topics, "_KEPT", {})  # no discovery kept from an earlier test: this build forks it
    monkeypatch.setattr(discovery_later, "BESIDE_FROM", 0)  # (forked from parallel.MIN_PAGES entries on)
    monkeypatch.setattr(discovery_later, "prefork", lambda *a, **k: None)  # forked by `beside`, counted above

    with pytest.raises(ValueError, match="bad page"):
        build_site(ROOT / "content", tmp_path / "site", store_url=f"sqlite:///{tmp_path / 'kb.sqlite'}", parallel=2)
    assert len(forks) == 1 and not parallel._run
    with pytest.raises(ChildProcessError):  # the worker was reaped
        os.waitpid(forks[0], os.WNOHANG)
    assert len(beside) == 3  # the graph layout, tag/type pages (plugin_beside.py), discovery: forked in on_files
    for pid in beside:
        with pytest.raises(ChildProcessError):  # stopped and reaped by on_build_error
            os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize("workers, kept", [
    (1, True),  # one process: MkDocs' own behaviour, every page keeps its HTML
    (2, False),  # forked workers: dropped once written, in every process (site_plugins/OPTIONS.md, `parallel`)
])
def test_page_content_after_the_build(workers: int, kept: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      forks: list[int]) -> None:
    """What a third-party plugin sees of `page.content` in on_post_build (the documented contract)."""
    import site_plugins.plugin as plugin_module

    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    seen: dict[str, str | None] = {}
    dests: list[Path] = []
    real = plugin_module.KbPlugin.on_post_build

    def post_build(self, config) -> None:  # noqa: ANN001
        pages = [f for f in self.files.documentation_pages() if f.page is not None]
        seen.update({f.src_uri: f.page.content for f in pages})
        dests.extend(Path(f.abs_dest_path) for f in pages)
        real(self, config)

    monkeypatch.setattr(plugin_module.KbPlugin, "on_post_build", post_build)
    build(ROOT / "content", tmp_path / "site", parallel=workers)
    assert len(forks) == workers - 1
    assert len(seen) > 20
    if kept:
        assert all(isinstance(html, str) and html for html in seen.values())
    else:
        assert set(seen.values()) == {None}
        for dest in dests:  # what the plugin reads instead: every page, written
            assert 'class="md-content"' in dest.read_text(encoding="utf-8")
