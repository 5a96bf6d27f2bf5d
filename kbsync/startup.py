"""`kb serve`'s writer side, started behind the HTTP server: the start-up sync, the keyword filler, the watcher.

The server binds first and answers `/api/health` and the pages already on disk at once; this runs once it
listens (on its own thread), so none of it (a first sync of every file, the discovery imports the filler needs)
holds up the first answer. `/api/ready` stays 503 until `synced` is set: the store is current enough to serve.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from .settings import Settings

log = logging.getLogger("kbsync.serve")


class Cancelled(Exception):
    """Raised from the start-up sync's progress hook when the server stops: the sync's batch rolls back."""


class StartUp:
    """Sync (unless a store synced before may be served as it is), then start the filler and the watcher."""

    def __init__(self, s: Settings, store: Any, *, watching: bool, on_synced: Callable[[Any], None],
                 on_filled: Callable[[int], None], on_first_sync: Callable[[int], None]) -> None:
        self.s, self.store, self.watching = s, store, watching
        self.on_synced, self.on_filled, self.on_first_sync = on_synced, on_filled, on_first_sync
        self.synced = threading.Event()  # the store may be served: synced before, or the start-up sync committed
        self.revision = 0  # the revision a read model must have reached to be current (the start-up sync's)
        self.stopping = threading.Event()
        self.filler: Any = None
        self.watcher: Any = None
        self._mu = threading.Lock()  # `stop` waits for a half-started filler/watcher, then stops them
        self._thread: threading.Thread | None = None
        revision = store.revision()
        self.behind = bool(revision and watching)  # served as synced before: the watcher's check syncs behind
        if self.behind:
            self.synced.set()

    def start(self) -> None:
        """Run behind the server (called once it listens)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="kb-startup", daemon=True)
            self._thread.start()

    def run(self) -> None:
        """The start-up work, in order; a failure is logged and leaves the API serving what the store holds."""
        try:
            with self._mu:
                self._run()
        except Cancelled:
            log.info("start-up sync stopped by shutdown; its batch rolled back")
        except Exception:
            log.exception("kb serve: start-up sync or watcher failed; serving the store as it is")

    def run_here(self) -> None:
        """The start-up work on the calling thread, errors raised (KB_ROLE=writer: nothing to serve meanwhile)."""
        with self._mu:
            self._run()

    def _run(self) -> None:
        from .derive import Options  # the parsers' imports, on this thread: the server answers meanwhile

        self.options = Options(keywords=False)  # keywords are filled in behind the syncs (KeywordFiller, below)
        revision = self.store.revision()
        if self.behind:
            # A store synced by an earlier run is served at once: the watcher's start-up check (every file, by
            # stat) syncs what changed meanwhile behind it. A blocking sync took 23 s at 10,000 entries (loaded).
            log.info("serving the store as synced before (revision %s); the watcher checks every file behind it",
                     revision)
        else:
            from .sync import Syncer

            report = Syncer(self.s.content_dir, self.store, options=self.options,
                            max_bytes=self.s.max_file_bytes).sync(progress=self._progress)
            revision = self.revision = report.revision
            log.info("synced %s entries (revision %s)", report.added + report.updated + report.unchanged, revision)
            self.synced.set()
        self.on_first_sync(revision)
        if self.stopping.is_set():
            return
        # here, not at the top: the filler's discovery imports take seconds, kept off the start
        from .discovery.filler import start_filler, watch_hooks

        self.filler = start_filler(self.s, self.store, on_filled=self.on_filled)
        if self.watching and not self.stopping.is_set():
            from .watch import Watcher

            self.watcher = Watcher(self.s.content_dir, self.store, check_on_start=True,
                                   **watch_hooks(self.filler, self.s, self.on_synced, self.options))
            self.watcher.start()

    def current(self, model: Any) -> bool:
        """Whether a read model serves the store as `/api/ready` means it: loaded after the start-up sync."""
        return self.synced.is_set() and model is not None and model.revision >= self.revision

    def _progress(self, done: int, total: int) -> None:
        if self.stopping.is_set():
            raise Cancelled

    def stop(self) -> None:
        """Stop the start-up sync (its batch rolls back), then the watcher (its batch in flight finishes)."""
        self.stopping.set()
        with self._mu:  # the sync stops at its next slice of files; the watcher, if started, is stopped below
            if self.watcher is not None:
                self.watcher.stop()
            if self.filler is not None:
                self.filler.stop()
