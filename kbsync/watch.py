"""Watch the content folder and sync each change within a second (`kb sync --watch`).

A watchdog observer collects changed content-relative paths (create, modify,
delete, move; both sides of a move, so an editor's atomic save -- write a temp
file, rename it over the entry -- counts as a change to the entry). Hidden
folders (`.git`, `.obsidian`), editor swap and temp files (`.swp`, `~`,
`.tmp`, vim's `4913`) are ignored. A worker thread waits until the folder has
been quiet for `debounce` seconds (at most `max_delay` after the first pending
change) and runs one incremental sync over just those paths.

Nothing is lost: a path leaves the pending set only when a sync that covered
it has committed. If the store is unreachable (the sync raises), the worker
retries with exponential backoff (`retry_min` doubling up to `retry_max`) and
keeps collecting edits meanwhile. `stop()` lets the sync in flight finish (its
batch commits, or the store rolls it back if it fails) and then returns;
`run_watch` maps SIGTERM/SIGINT to `stop()` and returns normally (exit 0).

If the content dir is reached through a symlink that gets swapped (git-sync's
`current` link), the watcher notices within `root_check` seconds, re-watches
the new target and re-checks the whole tree by stat. As a safety net for
events the kernel dropped (inotify queue overflow, network filesystems) the
whole tree is also re-checked by stat every `rescan_every` seconds.

The content boundary holds here too: a symlink leaving the folder or a FIFO created while watching is
reported as a problem and never read (`kbsync.discover`), and symlinked folders are not watched.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

try:  # an unpaired IN_MOVED_FROM (a move out of the tree, or into a new folder) holds every later event for
    # 0.5 s by default; the watcher only needs both paths, so a pair split by a shorter wait costs nothing.
    from watchdog.observers.inotify_move_event_grouper import InotifyMoveEventGrouper

    InotifyMoveEventGrouper.delay = 0.1
except ImportError:  # another platform or watchdog version
    pass

from .discover import ignored
from .store.base import Store
from .watchsync import BIG_BATCH, SyncFn, default_sync

log = logging.getLogger("kbsync.watch")

__all__ = ["BIG_BATCH", "SyncFn", "Watcher", "default_sync", "run_watch"]


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a child changed: its own event says which
        paths = [event.src_path]
        if getattr(event, "dest_path", ""):
            paths.append(event.dest_path)
        self.watcher.notify(os.fsdecode(p) for p in paths)


class Watcher:
    """Keeps a store in line with a content folder until stopped."""

    def __init__(self, content_dir: str | Path, store: Store | Callable[[], Store], *,
                 on_synced: Callable[[Any], None] | None = None, sync: SyncFn | None = None,
                 debounce: float = 0.15, max_delay: float = 1.0, retry_min: float = 0.2, retry_max: float = 30.0,
                 root_check: float = 1.0, rescan_every: float | None = 300.0, check_on_start: bool = False,
                 **sync_kwargs: Any) -> None:
        self.content_dir = Path(content_dir)
        self._store_arg = store
        self.store: Store | None = store if hasattr(store, "apply") else None  # type: ignore[assignment]
        self.on_synced = on_synced
        self.sync = sync or default_sync(self.content_dir, **sync_kwargs)
        self.debounce, self.max_delay = debounce, max_delay
        self.retry_min, self.retry_max = retry_min, retry_max
        self.root_check = root_check
        self.rescan_every = rescan_every
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._pending: dict[str, int] = {}  # path -> sequence number of its latest event
        self._rescan = check_on_start  # re-check every file (at start, root swapped, periodically)
        self._seq = 0
        self._first = self._last = 0.0
        self._thread: threading.Thread | None = None
        self._observer: Any = None
        self._root = ""
        self.syncs = 0  # committed syncs
        self.failures = 0  # failed attempts (store unreachable, ...)

    # -- events ----------------------------------------------------------------------------

    def _relative(self, path: str) -> str | None:
        for root in (self._root, str(self.content_dir.absolute())):
            if root and (path == root or path.startswith(root + os.sep)):
                rel = path[len(root) + 1:].replace(os.sep, "/")
                return rel if rel and not ignored(rel) else None
        return None

    def notify(self, paths: Iterable[str]) -> None:
        """Record changed absolute paths (what the observer calls; tests may call it too)."""
        rels = [r for r in (self._relative(p) for p in paths) if r]
        if not rels:
            return
        now = time.monotonic()
        with self._lock:
            if not self._pending and not self._rescan:
                self._first = now
            self._last = now
            for rel in rels:
                self._seq += 1
                self._pending[rel] = self._seq
        self._wake.set()

    def pending(self) -> list[str]:
        with self._lock:
            return sorted(self._pending)

    def idle(self) -> bool:
        """Nothing waiting to be synced."""
        with self._lock:
            return not self._pending and not self._rescan

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Watcher:
        self._watch_root()
        self._thread = threading.Thread(target=self._run, name="kb-watch", daemon=True)
        self._thread.start()
        log.info("watching %s", self.content_dir)
        return self

    def _watch_root(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        self._root = os.path.realpath(self.content_dir)
        self._observer = Observer()
        # Never follow a symlinked folder: `ln -s / content/x` would put inotify watches on the whole disk. Paths
        # the watcher reports go through the sync's content boundary (nothing outside the folder is read).
        self._observer.schedule(_Handler(self), self._root, recursive=True, follow_symlink=False)
        self._observer.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop watching; a sync in flight finishes (or its batch rolls back) before this returns."""
        self._stopping.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._observer is not None:
            self._observer.join(timeout=5)
        log.info("stopped watching %s; %d changes not synced", self.content_dir, len(self._pending))

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the worker ------------------------------------------------------------------------

    def _due(self) -> float:
        """Seconds until the pending set should be synced (0: now, -1: nothing pending)."""
        with self._lock:
            if self._rescan:
                return 0.0
            if not self._pending:
                return -1.0
            now = time.monotonic()
            return max(0.0, min(self._last + self.debounce, self._first + self.max_delay) - now)

    def _run(self) -> None:
        delay = self.retry_min
        next_root_check = time.monotonic() + self.root_check
        next_rescan = time.monotonic() + self.rescan_every if self.rescan_every else float("inf")
        while not self._stopping.is_set():
            due = self._due()
            wait = min(self.root_check, self.rescan_every or self.root_check, due if due >= 0 else self.root_check)
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()
            if self._stopping.is_set():
                break
            if time.monotonic() >= next_root_check:
                next_root_check = time.monotonic() + self.root_check
                self._check_root()
            if time.monotonic() >= next_rescan:
                next_rescan = time.monotonic() + (self.rescan_every or 0)
                with self._lock:
                    self._rescan = True
            if self._due() != 0.0:
                continue
            if self._sync_once():
                delay = self.retry_min
            else:
                self._stopping.wait(delay)
                delay = min(delay * 2, self.retry_max)

    def _check_root(self) -> None:
        try:
            root = os.path.realpath(self.content_dir)
        except OSError:
            return
        if root != self._root and os.path.isdir(root):
            log.info("content root moved to %s: re-watching", root)
            self._watch_root()
            with self._lock:
                self._rescan = True

    def _sync_once(self) -> bool:
        with self._lock:
            rescan = self._rescan
            taken = dict(self._pending)
        paths = None if rescan else sorted(taken)
        try:
            if self.store is None:
                self.store = self._store_arg()  # type: ignore[operator]
            report = self.sync(self.store, paths)
        except Exception as exc:  # the store went away, a file vanished mid-read, ...
            self.failures += 1
            log.warning("sync of %s failed (%s: %s); will retry", "everything" if rescan else f"{len(taken)} paths",
                        type(exc).__name__, exc)
            return False
        with self._lock:
            for path, seq in taken.items():
                if self._pending.get(path) == seq:  # not touched again while syncing
                    del self._pending[path]
            if rescan:
                self._rescan = False
            if self._pending:
                self._first = time.monotonic()
        self.syncs += 1
        if self.on_synced is not None:
            self.on_synced(report)
        return True


def run_watch(settings: Any, store: Store | None = None, *, ready: Callable[[Watcher], None] | None = None) -> None:
    """`kb sync --watch`: watch until SIGTERM/SIGINT, then finish the batch in flight and return (exit 0)."""
    from .derive import Options
    from .store import open_store

    st = store if store is not None else open_store(settings.resolved_store_url(), mongodb_db=settings.mongodb_db)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def synced(report: Any) -> None:
        log.info("synced: %s added, %s updated, %s deleted (revision %s)", report.added, report.updated,
                 report.deleted, report.revision)

    # check_on_start: edits made between the CLI's first sync and the observer starting are not lost
    from .discovery.filler import start_filler, watch_hooks

    filler = start_filler(settings, st)  # keywords are filled in behind each sync, for the entries it changed
    watcher = Watcher(settings.content_dir, st, check_on_start=True,
                      **watch_hooks(filler, settings, synced, Options(keywords=False)))
    watcher.start()
    if ready is not None:
        ready(watcher)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        watcher.stop()
        if filler is not None:
            filler.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
