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
from dataclasses import dataclass, field
from multiprocessing.connection import Pipe
from typing import Any

from mkdocs.commands import build as mk_build

log = logging.getLogger("mkdocs.plugins.kb")
MIN_PAGES = 200  # below this, forking and merging cost more than they save
_orig: dict[str, Any] = {}


@dataclass
class _Run:
    """One parallel build, as one of its processes sees it."""

    plugin: Any
    config: Any
    role: int  # 0: the parent, 1..K-1: a worker
    pages: list[Any]  # every page the processes share out, in MkDocs' order
    own: set[str]  # src_uris this process reads and renders
    conns: list[Any]  # parent: a Connection per worker (None once it failed); worker: [to the parent]
    pids: list[int]
    nav_pages: set[str]
    shared: set[str] = field(default_factory=set)  # src_uris of `pages`
    search: dict[str, dict[str, list[Any]]] = field(default_factory=dict)  # plugin name -> src -> entries
    base: dict[str, int] | None = None  # plugin name -> its entries before the first page was rendered
    records: list[logging.LogRecord] = field(default_factory=list)  # a worker's log records, to forward
    exchanged: bool = False
    left: int = 0  # a worker's pages still to render

    def skips(self, src: str) -> bool:
        """Another process reads and renders this page (a worker leaves every page but its own)."""
        return src not in self.own and (self.role > 0 or src in self.shared)


_armed: list[Any] = []  # [plugin, nav pages] between `arm` (on_nav) and the first page read
_run: list[_Run] = []


def install() -> None:
    """Route MkDocs' per-page read and render through this module (once per process)."""
    if not _orig:
        _orig["populate"], _orig["build"] = mk_build._populate_page, mk_build._build_page
        mk_build._populate_page, mk_build._build_page = _populate, _build


def workers(option: int) -> int:
    """Processes to render with: the option, or one per core this process may use (0)."""
    if option > 0:
        return option
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


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


def _build(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool = False,
           excluded: bool = False) -> None:
    run = _run[0] if _run else None
    src = page.file.src_uri
    if run is None or src not in run.shared and run.role == 0:
        _orig["build"](page, config, doc_files, nav, env, dirty, excluded)
        return
    if run.base is None:
        run.base = {name: len(entries) for name, entries in _search_lists(config)}
    if src in run.own:
        before = {name: len(entries) for name, entries in _search_lists(config)}
        try:
            _orig["build"](page, config, doc_files, nav, env, dirty, excluded)
        except BaseException as e:
            _fail_worker(e)
            raise
        for name, entries in _search_lists(config):  # this page's entries, put back in page order at the end
            run.search.setdefault(name, {})[src] = entries[before[name]:]
            del entries[before[name]:]
        page.content = page.markdown = None  # written: nothing later reads it (memory at 100,000 pages)
        if run.role > 0:
            run.left -= 1
            if run.left == 0:
                _worker_done(run)
    if run.role == 0 and src == run.pages[-1].file.src_uri:
        _merge(run, config, doc_files, nav, env, dirty)


def _search_lists(config: Any) -> list[tuple[str, list[Any]]]:
    """(plugin name, its index entry list) of every search plugin (Material's and MkDocs' own)."""
    out = []
    for name, plugin in config.plugins.items():
        index = getattr(plugin, "search_index", None)
        entries = getattr(index, "entries", getattr(index, "_entries", None))
        if isinstance(entries, list):
            out.append((name, entries))
    return out


def _can_fork(option: int) -> bool:
    import threading

    # A thread holding a lock at fork() would leave it held in the child forever.
    return workers(option) > 1 and hasattr(os, "fork") and threading.active_count() == 1


def _start(plugin: Any, nav_pages: set[str], config: Any, files: Any, dirty: bool) -> None:
    from mkdocs.structure.files import InclusionLevel
    from mkdocs.structure.pages import Page

    docs = files.documentation_pages(inclusion=InclusionLevel.is_included)
    for f in docs:  # what MkDocs' read loop does first for each page
        if f.page is None and f.inclusion.is_not_in_nav():
            Page(None, f, config)
    pages = [f.page for f in docs if f.page is not None and (not dirty or f.is_modified())]
    count = min(workers(plugin.config.parallel), len(pages) // (MIN_PAGES // 2) or 1)
    if len(pages) < MIN_PAGES or count < 2 or not _can_fork(plugin.config.parallel):
        return
    shares = [{p.file.src_uri for p in pages[i::count]} for i in range(count)]
    shared = {p.file.src_uri for p in pages}
    conns: list[Any] = []
    pids: list[int] = []
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # no collection touches (and so copies) the heap the processes share; thawed at the end
    for role in range(1, count):
        parent_end, child_end = Pipe()
        pid = os.fork()
        if pid == 0:  # a worker: one connection, to the parent
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


class _Collect(logging.Handler):
    """A worker's log handler: keeps records for the parent to emit (its handlers, strict mode's count)."""

    def __init__(self, run: _Run) -> None:
        super().__init__(logging.NOTSET)
        self.run = run

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        records = self.run.records
        if records and records[-1] is record:
            return True  # the same record, reaching a second logger's handlers
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        record.msg, record.args = record.getMessage(), None
        records.append(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:  # handle() does it all
        pass


def _collect_logs(run: Any) -> None:
    """In a forked process: log records go to `run.records` (sent to the parent), not to inherited handlers."""
    collect = _Collect(run)
    logging.getLogger().handlers = [collect]
    for lg in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(lg, logging.Logger) and lg.handlers:
            lg.handlers = [collect]


def _worker_setup(run: _Run, config: Any, files: Any) -> None:
    """A worker renders pages only: no static files or theme templates; its logs go to the parent."""
    _collect_logs(run)
    files.copy_static_files = lambda *a, **k: None
    config.theme.static_templates.clear()
    config["extra_templates"] = []


@dataclass
class _Later:
    """A forked process computing one value while the pages render (the OS shares the cores out)."""

    conn: Any
    pid: int
    fallback: Any  # computes the value here when the process fails
    records: list[logging.LogRecord] = field(default_factory=list)

    def __call__(self) -> Any:
        try:
            kind, data, records = self.conn.recv()
        except (EOFError, OSError):
            kind, data, records = "error", None, []
        self.conn.close()
        os.waitpid(self.pid, 0)
        _emit(records)
        return data if kind == "done" else self.fallback()


def graph_later(index: Any, option: int) -> Any:
    """graph.json's text, computed beside the page rendering on a big site: returns a function giving it, or None
    where no process can be forked (the caller lays the graph out itself)."""
    from . import graph, graph_layout

    def compute() -> tuple[str, list[Any]]:
        return graph.graph_json(index), list(graph_layout._last)

    def fallback() -> str:
        return graph.graph_json(index)

    if len(index.public) < MIN_PAGES or not _can_fork(option):
        return None
    parent_end, child_end = Pipe()
    pid = os.fork()
    if pid == 0:
        try:
            parent_end.close()
            later = _Later(child_end, 0, None)
            _collect_logs(later)
            try:
                child_end.send(("done", compute(), later.records))
            except BaseException:  # noqa: BLE001 - the parent computes it again and reports the error there
                child_end.send(("error", None, []))
        finally:
            os._exit(0)
    child_end.close()
    job = _Later(parent_end, pid, lambda: (fallback(), list(graph_layout._last)))

    def result() -> str:
        text, last = job()
        graph_layout._last[:] = last  # a rebuild whose edit changed no link reuses the layout (graph_layout.py)
        return text

    return result


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
        os._exit(1)


def _worker_done(run: _Run) -> None:
    try:
        _send(run, "built", (sorted(run.own), run.search))
        run.conns[0].close()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _page_state(run: _Run, page: Any) -> dict[str, Any]:
    src = page.file.src_uri
    links = {f.src_uri: dict(v) for f, v in (page.links_to_anchors or {}).items()}
    return {"title": page.title, "meta": page.meta if src in run.nav_pages else None,
            "anchors": page.present_anchor_ids, "links": links,
            "refs": run.plugin.refs.get(run.config.site_dir, {}).get(src)}


def _apply(run: _Run, files: Any, states: dict[str, dict[str, Any]]) -> None:
    """Give this process's copies of pages read elsewhere what rendering and checking them needs."""
    by_src = {p.file.src_uri: p for p in run.pages}
    refs = run.plugin.refs.setdefault(run.config.site_dir, {})
    for src, st in states.items():
        page = by_src[src]
        page.title = st["title"]
        if st.get("meta") is not None:
            page.meta = st["meta"]
        if "anchors" in st:
            page.present_anchor_ids = st["anchors"]
            page.links_to_anchors = {f: v for s, v in st["links"].items()
                                     if (f := files.get_file_from_path(s)) is not None} or None
            if st["refs"] is not None:
                refs[src] = st["refs"]


def _emit(records: list[logging.LogRecord]) -> None:
    for record in records:
        logging.getLogger(record.name).handle(record)


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
    _emit(records)
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
    mine = {p.file.src_uri: _page_state(run, p) for p in run.pages if p.file.src_uri in run.own}
    if run.role > 0:
        _send(run, "read", mine)
        _kind, data, records = run.conns[0].recv()
        _emit(records)
        _apply(run, files, data)
        return
    states: list[dict[str, Any]] = [mine]
    for i in range(len(run.conns)):
        got = _recv(run, i)
        states.append(got[1] if got is not None else {})
        if got is not None:
            _apply(run, files, got[1])
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
        before = {name: len(entries) for name, entries in _search_lists(config)}
        _orig["build"](page, config, doc_files, nav, env, dirty)
        for name, entries in _search_lists(config):
            run.search.setdefault(name, {})[page.file.src_uri] = entries[before[name]:]
            del entries[before[name]:]
    base = run.base or {}
    for name, entries in _search_lists(config):
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
