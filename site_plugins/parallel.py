"""Pages rendered over the cores: forked workers each read, convert and render a share of a build's pages.

MkDocs reads every page (Markdown, `on_page_*` events), then renders every page (Jinja, search indexing)
in one process. When a build has many pages to render, the first page read forks workers (copy-on-write:
the nav, store records and indexes are already built); every process then takes every K-th page through
MkDocs' own two loops and skips the rest. Between the loops, at `on_env`, the workers send what the parent
and the others need of their pages (titles and front matter of nav pages, anchors, referenced files); at
the end each sends its search index entries and log records and exits, and the parent puts the search
entries back in page order. The site is byte-identical to a serial build (tests/site/test_parallel.py).
"""
from __future__ import annotations

import gc
import logging
import os
import signal
import sys
from multiprocessing.connection import Pipe
from typing import Any

from mkdocs.commands import build as mk_build

from kbsync import forkrole

from . import pagehold, searchpack
from .forking import can_fork, collect_logs, emit, workers
from .jinjacache import precompile_theme
from .parallel_run import Run, apply, page_state, search_lists

_Run = Run  # (the tests' name for it)

log = logging.getLogger("mkdocs.plugins.kb")
MIN_PAGES = 200  # below this, forking and merging cost more than they save
_orig: dict[str, Any] = {}


_armed: list[Any] = []  # [plugin, nav pages] between `arm` (on_nav) and the first page read
_run: list[_Run] = []


def install() -> None:
    """Route MkDocs' per-page read and render through this module (once per process)."""
    if not _orig:
        _orig["populate"], _orig["build"] = mk_build._populate_page, mk_build._build_page
        mk_build._populate_page, mk_build._build_page = _populate, _build


def arm(plugin: Any, nav: Any) -> None:
    """Called at on_nav: the page reads that follow may fork (decided at the first one)."""
    abort()
    if workers(plugin.config.parallel) > 1 and hasattr(os, "fork"):
        _armed[:] = [plugin, {p.file.src_uri for p in nav.pages}]


def is_worker() -> bool:
    return bool(_run) and _run[0].role > 0


def _populate(page: Any, config: Any, files: Any, dirty: bool = False) -> None:
    if _armed:
        plugin, nav_pages = _armed
        _armed.clear()
        _start(plugin, nav_pages, config, files, dirty)
    if _run and _run[0].skips(page.file.src_uri):
        return
    try:
        _orig["populate"](page, config, files, dirty)
    except BaseException as e:
        _fail_worker(e)
        raise
    if _run:  # read until its turn to render: held compressed (site_plugins/pagehold.py)
        pagehold.hold(page)


def _build(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool = False,
           excluded: bool = False) -> None:
    pagehold.restore(page)
    run = _run[0] if _run else None
    src = page.file.src_uri
    if run is None or src not in run.shared and run.role == 0:
        _orig["build"](page, config, doc_files, nav, env, dirty, excluded)
        return
    if run.base is None:
        run.base = {name: len(entries) for name, entries in search_lists(config)}
        run.packs = searchpack.packable(config)
    if src in run.own:
        before = {name: len(entries) for name, entries in search_lists(config)}
        try:
            _orig["build"](page, config, doc_files, nav, env, dirty, excluded)
        except BaseException as e:
            _fail_worker(e)
            raise
        for name, entries in search_lists(config):  # this page's entries, put back in page order at the end
            mine = run.search.setdefault(name, {})[src] = entries[before[name]:]
            del entries[before[name]:]
            if name in run.packs:  # their text compressed until written (site_plugins/searchpack.py)
                searchpack.pack(mine)
        page.content = page.markdown = None  # written: nothing later reads it (memory at 100,000 pages)
        if run.role > 0:
            run.left -= 1
            if run.left == 0:
                _worker_done(run)
    if run.role == 0 and src == run.pages[-1].file.src_uri:
        _merge(run, config, doc_files, nav, env, dirty)


def _start(plugin: Any, nav_pages: set[str], config: Any, files: Any, dirty: bool) -> None:
    from mkdocs.structure.files import InclusionLevel
    from mkdocs.structure.pages import Page

    docs = files.documentation_pages(inclusion=InclusionLevel.is_included)
    for f in docs:  # what MkDocs' read loop does first for each page
        if f.page is None and f.inclusion.is_not_in_nav():
            Page(None, f, config)
    pages = [f.page for f in docs if f.page is not None and (not dirty or f.is_modified())]
    count = min(workers(plugin.config.parallel), len(pages) // (MIN_PAGES // 2) or 1)
    if len(pages) < MIN_PAGES or count < 2 or not can_fork(plugin.config.parallel):
        return
    shares = [{p.file.src_uri for p in pages[i::count]} for i in range(count)]
    shared = {p.file.src_uri for p in pages}
    precompile_theme(config)  # each worker then loads the theme's bytecode instead of compiling it (~0.25 s CPU)
    conns: list[Any] = []
    pids: list[int] = []
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # no collection touches (and so copies) the heap the processes share; thawed at the end
    for role in range(1, count):
        parent_end, child_end = Pipe()
        pid = os.fork()
        if pid == 0:  # a worker: one connection, to the parent
            forkrole.name("page worker")
            for c in conns:
                c.close()
            parent_end.close()
            run = _Run(plugin, config, role, pages, shares[role], [child_end], [], nav_pages, shared)
            run.left = len(shares[role])
            _run[:] = [run]
            _worker_setup(run, config, files)
            return
        child_end.close()
        conns.append(parent_end)
        pids.append(pid)
    _run[:] = [_Run(plugin, config, 0, pages, shares[0], conns, pids, nav_pages, shared)]
    log.debug("kb: %d pages rendered by %d processes", len(pages), count)


def _worker_setup(run: _Run, config: Any, files: Any) -> None:
    """A worker renders pages only: no static files or theme templates; its logs go to the parent."""
    collect_logs(run)
    files.copy_static_files = lambda *a, **k: None
    config.theme.static_templates.clear()
    config["extra_templates"] = []


def _send(run: _Run, kind: str, data: Any) -> None:
    records, run.records = run.records, []
    run.conns[0].send((kind, data, records))


def _fail_worker(e: BaseException) -> None:
    """A worker that hits an error hands it to the parent (which raises it) and stops."""
    if not is_worker():
        return
    run = _run[0]
    try:
        try:
            _send(run, "error", e)
        except Exception:  # noqa: BLE001 - unpicklable: its text will do
            _send(run, "error", RuntimeError(f"{type(e).__name__}: {e}"))
    finally:
        forkrole.leave(1)


def _worker_done(run: _Run) -> None:
    try:
        _send(run, "built", (sorted(run.own), run.search))
        run.conns[0].close()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        forkrole.leave(0)


def _recv(run: _Run, i: int) -> tuple[str, Any] | None:
    """The next message of worker i (its log records emitted), or None when it died without one."""
    conn = run.conns[i]
    try:
        kind, data, records = conn.recv()
    except (EOFError, OSError):
        log.warning("kb: a page worker stopped; the main process renders its pages")
        conn.close()
        run.conns[i] = None
        return None
    emit(records)
    if kind == "error":
        abort()
        raise data
    return kind, data


def exchange(files: Any) -> None:
    """At on_env (every page read): share what rendering needs of pages read in other processes."""
    if not _run or _run[0].exchanged:
        return
    run = _run[0]
    run.exchanged = True
    mine = {p.file.src_uri: page_state(run, p) for p in run.pages if p.file.src_uri in run.own}
    if run.role > 0:
        _send(run, "read", mine)
        _kind, data, records = run.conns[0].recv()
        emit(records)
        apply(run, files, data)
        return
    states: list[dict[str, Any]] = [mine]
    for i in range(len(run.conns)):
        got = _recv(run, i)
        states.append(got[1] if got is not None else {})
        if got is not None:
            apply(run, files, got[1])
    read = {src for st in states for src in st}
    lost = [p for p in run.pages if p.file.src_uri not in read]
    for page in lost:  # a worker died reading them: read them here
        run.own.add(page.file.src_uri)
        _orig["populate"](page, run.config, files)
    for i, conn in enumerate(run.conns):
        if conn is None:
            continue
        nav = {src: {"title": st["title"], "meta": st["meta"]} for j, s in enumerate(states) if j != i + 1
               for src, st in s.items() if src in run.nav_pages}
        nav.update({p.file.src_uri: {"title": p.title, "meta": p.meta} for p in lost
                    if p.file.src_uri in run.nav_pages})
        conn.send(("nav", nav, []))


def _merge(run: _Run, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool) -> None:
    """The parent, after its last page: take the workers' search entries, put every entry in page order."""
    for i, conn in enumerate(run.conns):
        if conn is None:
            continue
        got = _recv(run, i)
        if got is not None:
            built, search = got[1]
            run.own |= set(built)
            for name, by_src in search.items():
                run.search.setdefault(name, {}).update(by_src)
            conn.close()
    _reap(run)
    _run.clear()
    gc.unfreeze()
    for page in run.pages:
        if page.file.src_uri in run.own:
            continue
        # A worker died rendering: render its pages here (after the others: only search order is kept).
        if page.markdown is None:
            _orig["populate"](page, config, run.plugin.files, dirty)
        before = {name: len(entries) for name, entries in search_lists(config)}
        _orig["build"](page, config, doc_files, nav, env, dirty)
        for name, entries in search_lists(config):
            run.search.setdefault(name, {})[page.file.src_uri] = entries[before[name]:]
            del entries[before[name]:]
    base = run.base or {}
    for name, entries in search_lists(config):
        per = run.search.get(name, {})
        entries[base.get(name, 0):] = [e for p in run.pages for e in per.get(p.file.src_uri, [])]
    plugin = run.plugin
    if plugin.config.incremental and plugin.dirty:  # what its on_post_page keeps of pages rendered elsewhere
        titles = plugin.cache.titles.setdefault(config.site_dir, {})
        for page in run.pages:
            titles[page.file.src_uri] = page.title


def _reap(run: _Run) -> None:
    for pid in run.pids:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    run.pids = []


def abort(error: BaseException | None = None) -> None:
    """End a parallel build (a new build, or on_build_error): a worker reports and exits, the parent stops its
    workers."""
    _armed.clear()
    if not _run:
        return
    if _run[0].role > 0:
        _fail_worker(error or RuntimeError("build stopped"))
    run = _run.pop()
    gc.unfreeze()
    for conn in run.conns:
        if conn is not None:
            conn.close()
    for pid in run.pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _reap(run)
