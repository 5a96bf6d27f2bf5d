"""`kb serve`'s start-up work behind the server: a fresh store is synced (and a stop rolls that sync back), a store
synced before is served as it is with the watcher checking behind; `/api/ready` waits for a model that current."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kbsync.settings import Settings
from kbsync.startup import StartUp
from kbsync.store import open_store
from kbsync.sync import sync_content


def started(tmp_path: Path, *, entries: int, synced_before: bool, watching: bool) -> tuple[StartUp, Any, list[int]]:
    content = tmp_path / "content"
    content.mkdir()
    for i in range(entries):
        (content / f"n{i:03}.md").write_text(f"# Note {i}\n\nSee [[Note {(i + 1) % entries}]].\n", encoding="utf-8")
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    if synced_before:
        sync_content(content, store)
    firsts: list[int] = []
    s = Settings(content_dir=content, keywords=False)
    return StartUp(s, store, watching=watching, on_synced=lambda rep: None, on_filled=lambda rev: None,
                   on_first_sync=firsts.append), store, firsts


# (store synced before, watcher on, stopped before it runs) -> (revision after, synced, first sync told, watcher)
CASES = [
    (False, False, False, 1, True, [1], False),  # fresh store: synced here, then the first build is asked for
    (False, True, False, 1, True, [1], True),
    (False, True, True, 0, False, [], False),  # stopped (SIGTERM) during the start-up sync: its batch rolls back
    (True, True, False, 1, True, [1], True),  # synced before: served as it is, the watcher checks behind
]


@pytest.mark.parametrize(("before", "watching", "stop", "revision", "synced", "firsts", "watcher"), CASES)
def test_start_up(tmp_path, before, watching, stop, revision, synced, firsts, watcher):
    up, store, told = started(tmp_path, entries=300, synced_before=before, watching=watching)
    try:
        assert up.synced.is_set() == (before and watching), "only a store synced before is current at once"
        if stop:
            up.stopping.set()
        up.run()
        assert store.revision() == revision
        assert len(list(store.names())) == (300 if revision else 0)
        assert up.synced.is_set() == synced
        assert told == firsts
        assert (up.watcher is not None) == watcher
    finally:
        up.stop()
        store.close()


@pytest.mark.parametrize(("synced", "need", "model_rev", "current"), [
    (False, 0, 0, False),  # the start-up sync has not committed: an empty fresh store is not ready
    (True, 3, None, False),  # no read model yet
    (True, 3, 2, False),  # a model loaded before the start-up sync's commit
    (True, 3, 3, True),
    (True, 0, 7, True),  # synced before: any model serves it
])
def test_a_read_model_is_current_once_it_has_the_start_up_sync(tmp_path, synced, need, model_rev, current):
    up, store, _ = started(tmp_path, entries=1, synced_before=False, watching=False)
    try:
        if synced:
            up.synced.set()
        up.revision = need
        model = None if model_rev is None else SimpleNamespace(revision=model_rev)
        assert up.current(model) is current
    finally:
        store.close()
