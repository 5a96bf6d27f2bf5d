"""Keywords filled in a second commit after the sync, and where discovery's caches live: all a `kb sync` needs of
discovery, kept apart from the corpus passes (numpy, scipy, igraph...) so a no-op sync never imports them."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from ..store.base import Batch, Store
from .common import Rec
from .keywords import KeywordCache, KeywordOptions, KeywordStats, compute


def default_cache_path(store: Store, content_dir: str | Path | None = None) -> Path | str:
    """Beside a SQLite store's file (`.kb/discovery.sqlite`), else beside the content; `:memory:` for tests."""
    path = getattr(store, "path", None)
    if path == ":memory:":
        return ":memory:"
    if path:
        return Path(path).with_name("discovery.sqlite")
    return Path(content_dir or ".").resolve().parent / ".kb" / "discovery.sqlite"


def fill_keywords(store: Store, cache: KeywordCache, opts: KeywordOptions | None = None,
                  workers: int | None = None, *, slugs: Iterable[str] | None = None,
                  lock: AbstractContextManager[Any] | None = None, mp_context: Any = None,
                  on_commit: Callable[[int, int], None] | None = None) -> tuple[KeywordStats, int]:
    """Keywords for the stored entries (`slugs`, else all), written in one small commit of those that changed.

    Run after the sync's own commit: entries are searchable before this starts. The keywords are computed outside
    `lock`; the commit happens under it and skips any entry a sync rewrote meanwhile (its hash moved), so a fill
    never puts back an older record; `on_commit(before, after)` runs under it after a commit. Returns (stats, revision)."""
    recs = _read(store, slugs)
    kws, stats = compute(recs, cache, opts or KeywordOptions(), workers, mp_context=mp_context)
    hashes = {r["slug"]: r.get("hash") for r in recs}
    with lock or nullcontext():
        now = _read(store, slugs) if lock is not None else recs
        changed = [dict(r, keywords=kws[r["slug"]]) for r in now
                   if r["slug"] in kws and r.get("hash") == hashes[r["slug"]] and r.get("keywords") != kws[r["slug"]]]
        before = store.revision()
        rev = store.apply(Batch(upserts=changed)) if changed else before
        if changed and on_commit is not None:
            on_commit(before, rev)
    stats.committed = len(changed)
    return stats, rev


def _read(store: Store, slugs: Iterable[str] | None) -> list[Rec]:
    if slugs is None:
        return list(store.records())
    return [r for r in (store.get(s) for s in sorted(set(slugs))) if r is not None]
