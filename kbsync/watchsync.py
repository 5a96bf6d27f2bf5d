"""The sync a watcher runs per batch of changed paths: a kbsync Syncer kept between batches."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .store.base import Store

SyncFn = Callable[[Store, "list[str] | None"], Any]  # (store, paths or None for a stat re-check) -> report
BIG_BATCH = 2000  # above this many paths, let sync use worker processes


def default_sync(content_dir: Path, **kwargs: Any) -> SyncFn:
    """A kbsync Syncer over the given paths (None: every file, by stat), kept between syncs.

    The Syncer remembers file states, names and problems from its own batches, so an
    incremental sync does not re-read the whole store each time (it reloads if the
    store revision moved under it).
    """
    from .sync import Syncer

    syncers: dict[int, Syncer] = {}

    def run(store: Store, paths: list[str] | None) -> Any:
        syncer = syncers.get(id(store))
        if syncer is None:
            syncers.clear()
            syncer = syncers[id(store)] = Syncer(content_dir, store, **kwargs)
        syncer.workers = None if paths is None or len(paths) > BIG_BATCH else 1  # no fork() from a busy thread
        report = syncer.sync(paths=paths)
        if paths is None:  # a check of every file (the watcher's start): the first edit then finds it made
            warm_resolver(syncer)
        return report
    run.syncers = syncers  # type: ignore[attr-defined]  # the keyword filler keeps them current (discovery.filler)
    return run


def warm_resolver(syncer: Any) -> None:
    """Make the syncer's link resolver and stat tables now, as the first edit's sync would (over every name and
    file: ~1.5 s at 100,000 entries, on that edited page's path); later syncs update them in place."""
    from .discover import is_entry
    from .resolve import Resolver

    known = syncer._load()
    if known.resolver is None:
        known.resolver = Resolver(known.names.values(), {p for p in known.states if not is_entry(p)})
    if known.tables is None:  # the named syncs' stat tables (~0.5 s at 100,000 files), for the same reason
        from .namedplan import Tables

        known.tables = Tables.from_states(syncer.root, known.states, known.names)
        known.tables.marks = syncer._marks  # the walk that just ran checked every file against these
