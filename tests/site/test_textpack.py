"""Entries' text held out of the records while a big build renders (site_plugins/textpack.py), back when read."""
from __future__ import annotations

import copy
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from kbsite import ROOT, build
from test_parallel import assert_same_site

from site_plugins import discovery_later, parallel, textpack, topics
from site_plugins.fastpage import LAST, _key
from site_plugins.followup_discovery import settle_discovery

RECORDS = {  # slug -> record: texts of every kind, and records without one
    "a": {"slug": "a", "text": "Alpha links to B. " * 30},
    "b": {"slug": "b", "text": "深蹲 \ud800 broken"},
    "c": {"slug": "c", "text": ""},
    "d": {"slug": "d", "text": None},
    "e": {"slug": "e"},
}


@pytest.mark.parametrize("chunk", [1, 2, 256])
def test_hold_takes_every_text_and_restore_puts_each_back(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textpack, "CHUNK", chunk)
    records = copy.deepcopy(RECORDS)
    held = textpack.hold(records)
    assert held.count == 4 and not any("text" in r for r in records.values())
    held.restore(records)
    assert records == RECORDS
    assert held.chunks == []  # nothing kept twice


def test_a_record_replaced_since_keeps_its_own_text() -> None:
    records = copy.deepcopy(RECORDS)
    held = textpack.hold(records)
    records["a"] = {"slug": "a", "text": "edited"}  # an edit read it from the store again
    del records["b"]  # hidden or deleted since
    held.restore(records)
    assert records["a"]["text"] == "edited" and "b" not in records and records["c"]["text"] == ""


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery forked beside the pages at the sample's size (as test_discovery_later's `fresh`)."""
    monkeypatch.setattr(topics, "_KEPT", {})
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(discovery_later, "BESIDE_FROM", 0)
    monkeypatch.setattr(parallel, "MIN_PAGES", 2)


def test_a_failed_forked_discovery_still_gives_the_site_discovery_first_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   beside: None) -> None:
    content = ROOT / "content"
    parent = os.getpid()
    real = topics.site_discovery

    def fails_forked(*a: Any, **k: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("the forked discovery fails")
        return real(*a, **k)

    monkeypatch.setattr(topics, "site_discovery", fails_forked)
    got = build(content, tmp_path / "beside" / "site")
    monkeypatch.setattr(topics, "site_discovery", real)
    topics._KEPT.clear()
    monkeypatch.setattr(discovery_later, "later", lambda *a, **k: None)
    assert_same_site(build(content, tmp_path / "first" / "site"), got)


def test_a_follow_up_discovery_after_a_big_build_reads_the_texts(tmp_path: Path, beside: None) -> None:
    site = build(ROOT / "content", tmp_path / "site", incremental=True)  # kept for edits (site_plugins/fastpage.py)
    b = LAST[_key(str(site.out))]
    records = b.plugin.index.records
    assert b.plugin.index.held_texts is not None and not any("text" in r for r in records.values())
    done = settle_discovery(str(site.out))  # nothing edited: discovery is what the build's was
    assert done is not None and done.patched == []
    assert sum(bool(r.get("text")) for r in records.values()) > len(records) // 2


def test_the_forked_load_gives_the_stores_records_texts_in_place(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Its texts travel after the records (site_plugins/index.py `_texts_last`), and land back in their places."""
    from kbsync.store import open_store
    from kbsync.testing.corpus import ensure
    from site_plugins import index as index_mod

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # (it forks only with no other thread)
    content = ensure(tmp_path / "c", 80)[0]
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    forked = []
    real = index_mod.load_forked
    monkeypatch.setattr(index_mod, "load_forked", lambda load: forked.append(got := real(load)) or got)
    records = index_mod.sync_and_load(str(content), url, sync=True)[0]
    assert len(forked) == 1 and forked[0] is not None  # loaded in a forked process
    store = open_store(url)
    try:
        want = list(store.entries())
    finally:
        store.close()
    assert records == want and [list(r) for r in records] == [list(r) for r in want]  # values, and key order
    assert sum(bool(r.get("text")) for r in records) > 60
