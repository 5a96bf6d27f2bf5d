"""Keywords behind the syncs: a background filler, on by default, never putting back an older record."""
from __future__ import annotations

import contextlib
import time
from types import SimpleNamespace

import pytest

from kbsync.derive import Options
from kbsync.discovery.enrich import default_cache_path, fill_keywords
from kbsync.discovery.filler import KeywordFiller, start_filler, watch_hooks
from kbsync.discovery.keywords import KeywordCache
from kbsync.settings import Settings
from kbsync.store import open_store
from kbsync.sync import sync_content
from kbsync.watch import Watcher
from tests.conftest import write

from .conftest import note

TEXT = "The {0} is a strength exercise. A heavy {0} builds the legs and the back. Train the {0} each week."
WORDS = ("squat", "deadlift", "lunge", "press")


def kb(tmp_path):  # type: ignore[no-untyped-def]
    write(tmp_path / "content", {f"{w}.md": note(w.title(), TEXT.format(w)) for w in WORDS})
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(tmp_path / "content", store, options=Options(keywords=False))
    return store


def has(store, slug: str, word: str) -> bool:  # type: ignore[no-untyped-def]
    return word in " ".join(store.get(slug)["keywords"]).lower()


@pytest.mark.parametrize("env, on", [({}, True), ({"KB_KEYWORDS": "0"}, False), ({"KB_KEYWORDS": "false"}, False),
                                     ({"KB_KEYWORDS": "1"}, True)])
def test_keywords_are_on_by_default_and_kb_keywords_0_turns_them_off(monkeypatch, tmp_path, env, on) -> None:
    monkeypatch.delenv("KB_KEYWORDS", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    s = Settings(content_dir=tmp_path)
    assert s.keywords is on
    filler = start_filler(s, open_store(f"sqlite://{tmp_path / 'kb.sqlite'}"))
    assert (filler is not None) is on
    if filler is not None:
        filler.stop()


def test_filler_fills_everything_then_only_what_a_sync_changed(tmp_path) -> None:
    store = kb(tmp_path)
    rev = store.revision()
    assert all(r["keywords"] == [] for r in store.records())  # searchable before keywords exist
    filled: list[int] = []
    filler = KeywordFiller(store, default_cache_path(store), on_filled=filled.append, workers=1).start()
    try:
        filler.poke(None)
        assert filler.wait_idle(60)
        assert filled == [rev + 1] and filler.computed == 4 and all(has(store, w, w) for w in WORDS)
        write(tmp_path / "content", {"lunge.md": note("Lunge", TEXT.format("kettlebell swing"))})
        report = filler.locked(sync_content)(tmp_path / "content", store, options=Options(keywords=False))
        assert report.changed == ["lunge"] and store.get("lunge")["keywords"] == []
        filler.poke(report.changed)
        assert filler.wait_idle(60)
        assert filler.computed == 5 and has(store, "lunge", "kettlebell")  # one edit, one entry recomputed
    finally:
        filler.stop()


def test_a_fill_never_puts_back_a_record_a_sync_rewrote_meanwhile(tmp_path) -> None:
    store = kb(tmp_path)

    @contextlib.contextmanager
    def sync_sneaks_in():  # a sync commits between the fill's compute and its commit
        write(tmp_path / "content", {"squat.md": note("Squat", TEXT.format("goblet squat") + " Edited.")})
        sync_content(tmp_path / "content", store, options=Options(keywords=False))
        yield

    stats, _ = fill_keywords(store, KeywordCache(), workers=1, lock=sync_sneaks_in())
    assert stats.committed == 3  # the other three
    rec = store.get("squat")
    assert "Edited." in rec["text"] and rec["keywords"] == []  # the new text stays; its keywords come next round
    stats, _ = fill_keywords(store, KeywordCache(), workers=1, slugs=["squat"])
    assert stats.committed == 1 and has(store, "squat", "goblet")


def test_the_watcher_fills_the_edited_entries(tmp_path) -> None:
    store = kb(tmp_path)
    s = SimpleNamespace(keywords=True, content_dir=tmp_path / "content", max_file_bytes=10 ** 7)
    filler = start_filler(s, store)
    assert filler is not None
    synced: list = []
    hooks = watch_hooks(filler, s, synced.append, Options(keywords=False))
    watcher = Watcher(s.content_dir, store, debounce=0.05, rescan_every=None, **hooks)
    watcher.start()
    try:
        assert filler.wait_idle(60) and has(store, "press", "press")
        computed = filler.computed
        write(tmp_path / "content", {"press.md": note("Press", TEXT.format("overhead press") + " Strict.")})
        deadline = time.monotonic() + 30
        while not has(store, "press", "overhead") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert has(store, "press", "overhead") and synced
        assert filler.wait_idle(30) and filler.computed == computed + 1
        # The syncer still knows the store after the keyword commit: the next edit does not reload everything.
        (syncer,) = hooks["sync"].syncers.values()
        assert syncer._known.revision == store.revision()
    finally:
        watcher.stop()
        filler.stop()
