"""Holds the current read model and swaps in a new one, built off the request path, when the revision moves."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .memory import release_free_memory
from .queries import QueryPages

if TYPE_CHECKING:
    from .readmodel import ReadModel

log = logging.getLogger("kb.api")


def _from_store(store: Any, previous: ReadModel | None) -> ReadModel:
    """`ReadModel.from_store`, imported on the holder's thread: `kb serve` answers before tantivy and networkx load."""
    from .readmodel import ReadModel

    return ReadModel.from_store(store, previous)


class ModelHolder:
    """The live read model plus the store's health; a background thread polls `store.revision()`."""

    def __init__(self, store: Any, interval: float = 0.5,
                 build: Callable[[Any, ReadModel | None], ReadModel] | None = None) -> None:
        self.store = store
        self.interval = interval
        self.build = build or _from_store  # the read model's imports (search, graph) load on the first build
        self.model: ReadModel | None = None  # replaced whole, never mutated: readers need no lock
        self.store_ok = False
        self.last_error: str | None = None
        self.last_check = 0.0
        self.rebuilds = 0
        self.queries = QueryPages()  # page models for DQL, per (store revision, viewer)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> bool:
        """Rebuild if the store's revision differs from the model's; returns True when a new model went live."""
        try:
            rev = self.store.revision()
            self.store_ok, self.last_error, self.last_check = True, None, time.time()
            if self.model is not None and self.model.revision == rev:
                return False
            model = self.build(self.store, self.model)  # the previous model allows an incremental update
        except Exception as exc:  # the store went away: keep serving the last model
            if self.store_ok or self.last_error is None:
                log.warning("store unavailable, serving the last read model: %s", exc)
            self.store_ok, self.last_error, self.last_check = False, f"{type(exc).__name__}: {exc}", time.time()
            return False
        if self.model is None:  # the first build's transient heap goes back before the API reports ready
            release_free_memory()
        self.model = model
        del model
        release_free_memory()  # and, on a refresh, the previous model's  # the build's transient records, and the previous model, go back to the OS
        self.rebuilds += 1
        log.info("read model at revision %s: %s entries in %.2fs", self.model.revision, len(self.model.by_slug),
                 self.model.build_seconds)
        return True

    def query(self, q: str, viewer: str, *, time_limit: float | None = None,
              max_rows: int | None = None) -> dict[str, Any]:
        """`kb query --json`'s answer over the store, on the cached page model; QueryError if invalid or too costly."""
        return self.queries.query(self.store, q, viewer, time_limit=time_limit, max_rows=max_rows)

    def start(self) -> None:
        """Build the first model in the background and keep polling until `stop`."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="kb-readmodel", daemon=True)
            self._thread.start()

    def poke(self) -> None:
        """Check the revision now rather than at the next poll (a writer in this process just committed).

        A poke during a rebuild makes the next wait return at once, so no commit is missed."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            self._wake.wait(self.interval)
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Block until a model is loaded (for the CLI and tests)."""
        deadline = time.time() + timeout
        while self.model is None and time.time() < deadline:
            time.sleep(0.02)
        return self.model is not None
