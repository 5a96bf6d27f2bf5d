"""`kb serve` on a fresh site: a page not written yet is rendered on demand while the first build runs.

A forked process (`run_renderer`) loads what a page render needs once the start-up sync has committed
(`site_plugins/ondemand.py`) and renders the pages asked for, one at a time, into a folder of its own; the
server asks it only for files missing from the site folder (`OnDemandFiles`), and only until the first build
is complete. It answers for the store revision it loaded and no other (but the keyword filler's, which the
server vouches for): whenever the store is at another revision it refuses (fail closed: a page hidden since
must not come back through it), and once a sync commits a change the server stops it.
"""
from __future__ import annotations

import itertools
import logging
import mimetypes
import multiprocessing as mp
import re
import resource
import signal
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("kbsync.serve")
WAIT = 60.0  # seconds a request waits for its page (the renderer first loads the store: seconds at 10,000)
# seconds the first site build, the keyword filler and the watcher wait for the renderer to load: on two cores
# they would take half its CPU (the first page then came 5-10 s later at 10,000 entries)
HOLD = 30.0
# seconds they then wait for a first page to be answered (its render is 0.4-0.9 s of CPU at 10,000 entries; the
# build's imports, the filler's and the watcher's check of every file would share the cores with it). The API's read
# model is not held: the API answers from the synced store at once (a test asserts it)
GRACE = 2.0
# a body the build leaves for discovery to fill in (the home and topics pages): an empty page until then
DEFERRED_BODY = re.compile(rb"<!--kb-later-[0-9a-f]+:[^>]*\.md-->")


def _terminated(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def run_renderer(conn: Any, content: Path, store_url: str, yml: Path | None, prepared: Any = None) -> None:
    """The renderer process: answer `begin` (set up what needs no store), `prepare`, `("allow", revision)`,
    `(id, path)` and `None` (stop); `prepared` (an Event) is set once `prepare` has been answered, either way."""
    # the parent's handler came along with fork(); a terminated renderer (a server stopped without `stop`, whose
    # exit terminates its daemon children) still runs `finally`, so its private site folder is not left in /tmp
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = renderer = None
    ready: bool | None = None  # None: not prepared yet; False: failed, or the store moved while loading
    allowed: set[int] = set()  # revisions whose pages are the loaded ones (the keyword filler's commits)
    try:
        while True:
            msg = conn.recv()
            if msg is None:
                return
            if msg in ("begin", "prepare") and renderer is None:
                renderer = _begin(content, store_url, yml)
                ready = None if renderer is not None else False
            if msg == "prepare":
                if ready is None and renderer is not None:
                    ready, store = _prepare(renderer, store_url)
                    allowed.add(renderer.revision)
                if prepared is not None:
                    prepared.set()
                continue
            if msg == "begin" or msg[0] == "allow":
                allowed.update(msg[1:2] if msg[0] == "allow" else ())
                continue
            rid, path = msg
            body = None
            if ready and _current(store, allowed):
                try:
                    body = renderer.render(path)  # type: ignore[union-attr]
                except Exception:  # noqa: BLE001 - the build renders (and reports) it
                    log.exception("on-demand pages: could not render %s", path)
            conn.send((rid, body))
    except (EOFError, OSError):
        return  # the server is gone
    finally:
        if store is not None:
            store.close()
        if renderer is not None:
            renderer.close()


def _begin(content: Path, store_url: str, yml: Path | None) -> Any:
    """A Renderer with what needs no store set up (imports, config, files, theme), or None when that failed."""
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # the build reports the pages' warnings, once
    t0 = time.perf_counter()
    try:
        from site_plugins.ondemand import Renderer

        renderer = Renderer(content, store_url, yml)
        renderer.begin()
    except Exception:
        log.exception("on-demand pages: set-up failed; pages wait for the site build")
        return None
    log.info("on-demand pages: set up in %.2fs (%.2fs CPU); waiting for the start-up sync", time.perf_counter() - t0,
             _cpu())
    return renderer


def _prepare(renderer: Any, store_url: str) -> tuple[bool, Any]:
    """(whether pages may be rendered, an open store to check the revision against) after loading the store."""
    from .store import open_store

    store = open_store(store_url)
    try:
        before = store.revision()
        cpu = _cpu()
        secs = renderer.prepare()
        if renderer.revision != before or store.revision() != before:
            log.info("on-demand pages: the store moved while they loaded; the site build serves them")
            return False, store
        log.info("on-demand pages: ready in %.2fs (%.2fs CPU, revision %s)", secs, _cpu() - cpu, before)
        return True, store
    except Exception:
        log.exception("on-demand pages: could not load the site; pages wait for the site build")
        return False, store


def _cpu() -> float:
    """CPU seconds this process has used (the machine is shared: wall time alone says little)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _current(store: Any, allowed: set[int]) -> bool:
    """Whether the store is (still) at a revision whose pages are the loaded ones."""
    try:
        return store is not None and store.revision() in allowed
    except Exception:  # noqa: BLE001 - an unreadable store: not known to be current
        return False


class OnDemand:
    """The server's side: the renderer process, asked over a pipe, one request at a time."""

    def __init__(self, content: Path, store_url: str, yml: Path | None) -> None:
        ctx = mp.get_context("fork")  # forked before any thread starts, as the site builder
        self.conn, child = ctx.Pipe()
        self.prepared = ctx.Event()
        self.proc = ctx.Process(target=run_renderer, name="kb-ondemand", daemon=True,
                                args=(child, content, store_url, yml, self.prepared))
        self.proc.start()
        child.close()
        self.active = True
        self.served = threading.Event()  # a page was answered on demand
        self._mu = threading.Lock()
        self._ids = itertools.count(1)

    def begin(self) -> None:
        """The server listens: set up what needs no store (while the start-up sync runs)."""
        with self._mu:
            if self.active:
                self.conn.send("begin")

    def prepare(self, wait: float = 0.0) -> bool:
        """The start-up sync committed: load the store; wait up to `wait` seconds for it (True: loaded, or failed
        to, in time)."""
        with self._mu:
            if not self.active:
                return True
            self.conn.send("prepare")
        return self.prepared.wait(wait) if wait else False

    def first_page(self, hold: float = HOLD) -> None:
        """Wait until the renderer has loaded (`hold` seconds at most) and then, if it did, answered a first page
        (GRACE seconds at most): what waits here would otherwise compete with that page."""
        if self.active and self.prepared.wait(hold) and self.active:
            self.served.wait(GRACE)

    def allow(self, revision: int) -> None:
        """`revision` changed nothing a page shows (the keyword filler's commit): keep answering at it."""
        with self._mu:
            if self.active:
                self.conn.send(("allow", revision))

    def render(self, path: str, wait: float = WAIT) -> bytes | None:
        """The bytes of the site file at URL path `path`, rendered now, or None (not a file of the site, not
        rendered within `wait`, or on-demand pages are over)."""
        deadline = time.monotonic() + wait
        with self._mu:
            if not self.active:
                return None
            rid = next(self._ids)
            try:
                self.conn.send((rid, path))
                while self.conn.poll(max(0.0, deadline - time.monotonic())):
                    got, body = self.conn.recv()
                    if got == rid:
                        if isinstance(body, bytes):
                            self.served.set()
                            return body
                        return None
            except (EOFError, OSError):
                self.active = False
            return None  # too slow: the answer, if it comes, is skipped by the next request

    def stop(self) -> None:
        """No more pages on demand (the site is complete, or the store moved); the renderer exits."""
        with self._mu:
            if not self.active:
                return
            self.active = False
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join()


def media_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"
