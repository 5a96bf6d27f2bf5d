"""Discovery forked beside a cold build's pages (site_plugins/discovery_later.py): the same site, pages sooner."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from kbsite import ROOT
from test_parallel import assert_same_site, content_of

from site_plugins import discovery_later, parallel, topics


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """No discovery kept from an earlier test's build; the LaterDiscovery objects the builds made."""
    monkeypatch.setattr(topics, "_KEPT", {})
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest-xdist's idle thread is not ours to fear
    monkeypatch.setattr(discovery_later, "BESIDE_FROM", 0)  # beside from parallel.MIN_PAGES entries
    made: list[Any] = []
    real = discovery_later.later
    monkeypatch.setattr(discovery_later, "later", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    return made


def _slow_discovery(monkeypatch: pytest.MonkeyPatch, page: Path, flag: Path) -> None:
    """The forked discovery starts once `page` is written (60 s at most) and notes in `flag` whether it was."""
    real = topics.site_discovery

    def slow(*a: Any, **k: Any) -> Any:
        end = time.monotonic() + 60
        while time.monotonic() < end and not page.is_file():
            time.sleep(0.05)
        flag.write_text(str(page.is_file()))
        return real(*a, **k)

    monkeypatch.setattr(topics, "site_discovery", slow)


@pytest.mark.parametrize("name, min_pages, slow, mode", [
    ("sample", 2, False, "beside"),  # 23 entries: documents, attachments, a home page with its Topics card
    ("sample", 2, True, "beside"),  # discovery ends after pages were written: their markers are patched
    ("corpus", parallel.MIN_PAGES, False, "beside"),  # 300 generated entries at the default threshold
    ("sample", 2, False, "reads"),  # pages read beside it, rendered after it: only the generated bodies patched
    ("corpus", parallel.MIN_PAGES, False, "reads"),
])
def test_discovery_beside_equals_discovery_first(name: str, min_pages: int, slow: bool, mode: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, fresh: list[Any]) -> None:
    from kbsite import build

    monkeypatch.setattr(parallel, "MIN_PAGES", min_pages)
    monkeypatch.setattr(discovery_later, "MODE", mode)
    content = content_of(name, tmp_path)
    real = topics.site_discovery
    if slow:
        _slow_discovery(monkeypatch, tmp_path / "beside" / "site" / "start-here" / "index.html", tmp_path / "seen")
    beside = build(content, tmp_path / "beside" / "site")
    assert not slow or (tmp_path / "seen").read_text() == "True"
    monkeypatch.setattr(topics, "site_discovery", real)
    assert len(fresh) == 1 and isinstance(fresh[0], discovery_later.LaterDiscovery)
    left = topics._KEPT.get(content.resolve())  # left in a file by the forked process: the next build updates it
    assert isinstance(left, topics.Stored) and os.path.isfile(left.path)
    kept = topics.kept_of(content.resolve())
    assert kept is not None and kept.builds == 1 and not os.path.exists(left.path)
    topics._KEPT.clear()
    monkeypatch.setattr(discovery_later, "later", lambda *a, **k: None)
    first = build(content, tmp_path / "first" / "site")
    assert_same_site(first, beside)
    made = topics.kept_of(content.resolve())  # what the next build would update: the one read back is the same
    assert made is not None and kept.counts == made.counts and kept.topic_in == made.topic_in
    pages = [p.read_text(encoding="utf-8") for p in beside.html_files()]
    assert sum("kb-related" in html for html in pages) >= 2  # the panels are there, not left out
    assert not any("kb-later-" in html for html in pages)


def test_render_keys_are_marked_once_discovery_settles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       fresh: list[Any]) -> None:
    """The build after a cold one with discovery beside re-renders nothing when nothing changed: the keys the
    first build kept are those of its real discovery."""
    from site_plugins.config import build_site

    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    site, store = tmp_path / "site", f"sqlite:///{tmp_path / 'kb.sqlite'}"
    build_site(ROOT / "content", site, store_url=store, incremental=True, parallel=2)
    assert isinstance(fresh[0], discovery_later.LaterDiscovery)
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html") if p.name != "404.html"}  # (every build's)
    build_site(ROOT / "content", site, store_url=store, incremental=True, parallel=2)
    assert len(fresh) == 2 and fresh[1] is None  # the rebuild updates the kept discovery in place
    kept = topics._KEPT[(ROOT / "content").resolve()]  # read back from the file the forked discovery left
    assert not isinstance(kept, topics.Stored) and (kept.builds, kept.updates) == (1, 0)
    assert [p for p in before if p.stat().st_mtime_ns != before[p]] == []


def test_pages_are_written_while_discovery_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                fresh: list[Any]) -> None:
    """The forked discovery waits for an entry page on disk: it finds one only if pages do not wait for it."""
    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    site = tmp_path / "site"
    _slow_discovery(monkeypatch, site / "start-here" / "index.html", tmp_path / "seen")
    from kbsite import build

    build(ROOT / "content", site, parallel=2)
    assert (tmp_path / "seen").read_text() == "True"
    assert "kb-later-" not in (site / "start-here" / "index.html").read_text(encoding="utf-8")


def test_in_reads_mode_pages_render_once_discovery_is_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             fresh: list[Any]) -> None:
    """"reads": the pages are read while discovery runs but none is written before its result is in: the forked
    discovery waits 3 s for an entry page on disk and finds none; every page has its panels."""
    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    monkeypatch.setattr(discovery_later, "MODE", "reads")
    site = tmp_path / "site"
    real = topics.site_discovery

    def slow(*a: Any, **k: Any) -> Any:
        end = time.monotonic() + 3
        while time.monotonic() < end and not (site / "start-here" / "index.html").is_file():
            time.sleep(0.05)
        (tmp_path / "seen").write_text(str((site / "start-here" / "index.html").is_file()))
        return real(*a, **k)

    monkeypatch.setattr(topics, "site_discovery", slow)
    from kbsite import build

    build(ROOT / "content", site, parallel=2)
    assert isinstance(fresh[0], discovery_later.LaterDiscovery) and fresh[0].waits
    assert (tmp_path / "seen").read_text() == "False"
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    assert sum("kb-related" in html for html in pages) >= 2 and not any("kb-later-" in html for html in pages)


@pytest.mark.parametrize("option, pages, first, kept, mode, forked", [
    (2, 20_000, True, False, "auto", True),
    (1, 20_000, True, False, "auto", False),  # one process: nothing to fork
    (2, 19_999, True, False, "auto", False),  # below BESIDE_FROM: up front (the least wall and CPU at 10,000)
    (2, 300, True, False, "reads", True),
    (2, 199, True, False, "auto", False),  # a small site: forking costs more than it saves
    (2, 300, True, False, "beside", True),  # bench/site_profile.py --discovery beside: from parallel.MIN_PAGES
    (2, 199, True, False, "beside", False),  # a small site: forking costs more than it saves
    (2, 20_000, True, False, "before", False),
    (2, 20_000, False, False, "auto", False),  # a rebuild in this process
    (2, 20_000, True, True, "auto", False),  # discovery kept from an earlier build: updated in place, cheaply
])
def test_when_discovery_is_forked(option: int, pages: int, first: bool, kept: bool, mode: str, forked: bool,
                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_plugins import forking

    monkeypatch.setattr(discovery_later, "MODE", mode)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(topics, "_KEPT", {tmp_path.resolve(): object()} if kept else {})
    jobs: list[Any] = []
    monkeypatch.setattr(forking, "beside", lambda compute, fallback, role=None: jobs.append(compute) or fallback)

    class Index:
        public = {f"e{i}" for i in range(pages)}

        def public_records(self) -> list[Any]:
            return []

    monkeypatch.setattr(discovery_later.tempfile, "mkdtemp", lambda prefix: str(tmp_path))  # nothing left in /tmp
    got = discovery_later.later(Index(), str(tmp_path), None, option, first)
    assert (got is not None) == forked == bool(jobs)


def test_the_panels_are_patched_by_the_build_process_not_a_fork_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      fresh: list[Any]) -> None:
    """A process forked at `on_post_build` starts with the build process's RSS at its largest (the 100,000-entry
    build's largest child): the markers are patched where they were left."""
    from kbsite import build

    from site_plugins import forking

    forked_in_settle: list[str] = []
    settling = [False]
    real_beside, real_settle = forking.beside, discovery_later.settle

    def beside(compute: Any, fallback: Any, role: str | None = None) -> Any:
        if settling[0]:
            forked_in_settle.append(getattr(compute, "__name__", "?"))
        return real_beside(compute, fallback, role)

    def settle(*a: Any, **k: Any) -> Any:
        settling[0] = True
        try:
            return real_settle(*a, **k)
        finally:
            settling[0] = False

    monkeypatch.setattr(forking, "beside", beside)
    monkeypatch.setattr(discovery_later, "settle", settle)
    site = build(content_of("corpus", tmp_path), tmp_path / "site")  # 300 entries: over parallel.MIN_PAGES
    assert len(fresh) == 1 and isinstance(fresh[0], discovery_later.LaterDiscovery)
    assert forked_in_settle == []
    pages = [p.read_text(encoding="utf-8") for p in site.html_files()]
    assert sum("kb-related" in html for html in pages) >= 2 and not any("kb-later-" in html for html in pages)


def _early_pids(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the processes `prefork` forks (and whether the records had loaded then: never)."""
    from site_plugins import plugin

    pids: list[int] = []
    loading = [False]
    real_prefork, real_load = discovery_later.prefork, plugin.sync_and_load

    def prefork(*a: Any, **k: Any) -> None:
        real_prefork(*a, **k)
        assert not loading[0]
        pids.extend(e.pid for e in discovery_later._EARLY)

    def load(*a: Any, **k: Any) -> Any:
        loading[0] = True
        return real_load(*a, **k)

    monkeypatch.setattr(discovery_later, "prefork", prefork)
    monkeypatch.setattr(plugin, "sync_and_load", load)
    return pids


def test_discovery_runs_in_the_process_forked_before_the_records_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        fresh: list[Any]) -> None:
    """Forked before the records load, discovery's process holds only the record fields it reads (slimrecords.py),
    not every record and all the build process made by then (which its RSS counted)."""
    from kbsite import build

    pids = _early_pids(monkeypatch)
    real = topics.site_discovery
    seen = tmp_path / "seen"

    def noting(records: list[Any], *a: Any, **k: Any) -> Any:
        seen.write_text(f"{os.getpid()} {sorted({k for r in records for k in r})}")
        return real(records, *a, **k)

    monkeypatch.setattr(topics, "site_discovery", noting)
    build(content_of("corpus", tmp_path), tmp_path / "site")
    pid, fields = seen.read_text().split(" ", 1)
    assert len(pids) == 1 and int(pid) == pids[0] != os.getpid()
    assert "text" in fields and "headings" not in fields and "backlinks" not in fields
    assert discovery_later._EARLY == []


def _die(*a: Any) -> None:
    os._exit(3)  # (in the early process: a module's function, sent by name)


def _fails_once_spending(kept: Any, records: Any, *a: Any, spend: bool = False, **kw: Any) -> Any:
    if spend:  # the forked discovery, its records' texts already dropped when a build fails half-way
        raise RuntimeError("discovery failed half-way")
    return _REFRESH(kept, records, *a, **kw)


_REFRESH = topics.refresh


@pytest.mark.parametrize("how", ["dies", "raises after spending its texts"])
def test_an_early_process_that_dies_leaves_discovery_to_the_build_process(how: str, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          fresh: list[Any]) -> None:
    from kbsite import build

    content = content_of("sample", tmp_path)
    monkeypatch.setattr(parallel, "MIN_PAGES", 2)
    first = build(content, tmp_path / "first", parallel=1)  # discovery up front
    topics._KEPT.clear()
    pids = _early_pids(monkeypatch)
    if how == "dies":
        monkeypatch.setattr(discovery_later, "_compute_from", _die)
    else:  # no retry over the spent records (texts gone: wrong keywords, topics): the build process's own
        monkeypatch.setattr(topics, "refresh", _fails_once_spending)
    beside = build(content, tmp_path / "beside")
    assert len(pids) == 1 and isinstance(fresh[-1], discovery_later.LaterDiscovery)
    assert_same_site(first, beside)


@pytest.mark.parametrize("min_pages", [10**9, 2])
def test_an_early_process_no_build_takes_is_stopped(min_pages: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    fresh: list[Any]) -> None:
    from kbsite import build

    monkeypatch.setattr(parallel, "MIN_PAGES", min_pages)  # 10**9: a small site, discovery up front
    pids = _early_pids(monkeypatch)
    build(content_of("sample", tmp_path), tmp_path / "site")
    assert len(pids) == 1 and discovery_later._EARLY == []
    assert (fresh[0] is None) == (min_pages > 2)
    with pytest.raises(ChildProcessError):  # stopped, or its job done: reaped either way
        os.waitpid(pids[0], os.WNOHANG)
