"""Keywords filled in behind the syncs: a background thread that `kb serve` and the watcher poke with what changed."""
from __future__ import annotations

import functools
import logging
import multiprocessing as mp
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..store.base import Store
from .enrich import fill_keywords
from .keywords import KeywordCache, KeywordOptions

log = logging.getLogger(__name__)


class KeywordFiller:
    """Fills the keywords of poked entries (all of them at first) in small commits, off the sync's critical path.

    Syncs commit entries without keywords (searchable at once); `poke(report.changed)` queues them here. Wrap the
    sync in `lock` (see `locked`) so a fill's commit never interleaves with a sync's."""

    def __init__(self, store: Store, cache_path: str | Path, *, opts: KeywordOptions | None = None,
                 on_filled: Callable[[int], None] | None = None, workers: int | None = None) -> None:
        self.store, self.cache_path, self.opts = store, cache_path, opts or KeywordOptions()
        self.on_filled, self.workers = on_filled, workers
        self.lock = threading.RLock()  # held by syncs (see `locked`) and by a fill's commit
        self._mu = threading.Lock()
        self._todo: set[str] | None = set()  # None: every entry
        self._wake, self._stopping, self._idle = threading.Event(), threading.Event(), threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self.on_commit: list[Callable[[int, int], None]] = []  # run under the lock after each commit
        self.rounds = 0  # fills that ran
        self.computed = 0  # texts YAKE ran on, over all rounds (the cache served the rest)

    def locked(self, sync: Callable[..., Any]) -> Callable[..., Any]:
        """`sync` run under the fill lock (its attributes, like `syncers`, kept)."""
        @functools.wraps(sync)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                return sync(*args, **kwargs)
        return run

    def poke(self, slugs: Iterable[str] | None = None) -> None:
        """Queue `slugs` (None: every entry) for a fill."""
        with self._mu:
            if slugs is None:
                self._todo = None
            elif self._todo is not None:
                self._todo |= set(slugs)
            if self._todo is None or self._todo:
                self._idle.clear()
                self._wake.set()

    def start(self) -> KeywordFiller:
        self._thread = threading.Thread(target=self._loop, name="kb-keywords", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once everything poked so far is filled (for tests and orderly shutdowns)."""
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        cache = KeywordCache(self.cache_path)
        try:
            while not self._stopping.is_set():
                self._wake.wait()
                self._wake.clear()
                if self._stopping.is_set():
                    break
                with self._mu:
                    todo, self._todo = self._todo, set()
                try:
                    self.fill(cache, todo)
                except Exception as exc:  # the store went away...: keep the queue, try again on the next poke
                    log.warning("keywords: fill failed (%s: %s); will retry", type(exc).__name__, exc)
                    self.poke(todo)
                    self._stopping.wait(1.0)
                    continue
                with self._mu:
                    if self._todo is not None and not self._todo:
                        self._idle.set()
        finally:
            cache.close()

    def _committed(self, before: int, after: int) -> None:
        for hook in self.on_commit:
            hook(before, after)

    def fill(self, cache: KeywordCache, slugs: set[str] | None) -> None:
        """One round: compute outside the lock, commit under it."""
        # A pool forked from a thread beside uvicorn's and watchdog's could inherit a held lock: forkserver.
        stats, rev = fill_keywords(self.store, cache, self.opts, self.workers, slugs=slugs, lock=self.lock,
                                   mp_context=mp.get_context("forkserver"), on_commit=self._committed)
        self.rounds += 1
        self.computed += stats.computed
        if stats.committed:
            log.info("keywords: %d entries filled (%d computed, revision %s)", stats.committed, stats.computed, rev)
            if self.on_filled is not None:
                self.on_filled(rev)


def start_filler(settings: Any, store: Store, on_filled: Callable[[int], None] | None = None) -> KeywordFiller | None:
    """A started filler with every entry queued, when keywords are on (`KB_KEYWORDS`); else None."""
    if not settings.keywords:
        return None
    from .enrich import default_cache_path

    filler = KeywordFiller(store, default_cache_path(store, settings.content_dir), on_filled=on_filled).start()
    filler.poke(None)
    return filler


def watch_hooks(filler: KeywordFiller | None, settings: Any, on_synced: Callable[[Any], None],
                options: Any) -> dict[str, Any]:
    """Watcher arguments: syncs under the fill lock, and each sync's changed entries queued for keywords."""
    if filler is None:
        return {"on_synced": on_synced, "max_bytes": settings.max_file_bytes, "options": options}
    from ..watch import default_sync

    def synced(report: Any) -> None:
        filler.poke(report.changed)
        on_synced(report)

    sync = default_sync(settings.content_dir, max_bytes=settings.max_file_bytes, options=options)
    syncers = sync.syncers  # type: ignore[attr-defined]
    filler.on_commit.append(lambda before, after: carry_revision(syncers.values(), before, after))
    return {"on_synced": synced, "sync": filler.locked(sync)}


def carry_revision(syncers: Iterable[Any], before: int, after: int) -> None:
    """A keyword commit changes no file state, name or problem: a Syncer that knew the store at `before` still
    knows it at `after`, and need not reload it all on the next edit (a reload costs seconds at 100k entries).
    Only when the commit was the one write in between (another writer's would need the reload)."""
    for syncer in syncers:
        known = syncer._known
        if known is not None and known.revision == before and after == before + 1:
            known.revision = after
