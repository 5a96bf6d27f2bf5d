"""Streaming full syncs: same result as one batch, atomic for readers, and a failure keeps the old generation."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

import kbsync.reading
import kbsync.streamsync
from kbsync.store import open_store
from kbsync.store.snapshot import snapshot
from kbsync.sync import Syncer, sync_content
from tests.conftest import write


class NoStream:
    """A store without `stream`: the sync falls back to one Batch (the path before streaming)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        if name == "stream":
            raise AttributeError(name)
        return getattr(self.inner, name)


class FailingStream:
    """Delegates to a real stream and raises at the `at`-th call of `where` (put_encoded, put_edge_rows or commit)."""

    def __init__(self, inner: Any, where: str, at: int) -> None:
        self.inner, self.where, self.at, self.calls = inner, where, at, 0

    def __getattr__(self, name: str) -> Any:
        fn = getattr(self.inner, name)
        if name != self.where:
            return fn

        def call(*a: Any) -> Any:
            self.calls += 1
            if self.calls == self.at:
                raise ConnectionError("store went away mid-stream")
            return fn(*a)
        return call


class FailingStore:
    def __init__(self, inner: Any, where: str, at: int) -> None:
        self.inner, self.where, self.at = inner, where, at

    def stream(self) -> FailingStream:
        return FailingStream(self.inner.stream(), self.where, self.at)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


TWINS = {"B.md": "upper twin [[a]]\n", "b.md": "lower twin\n", "a.md": "---\ntitle: Alpha\n---\n[[B]] ![[p.png]]\n",
         "p.png": b"\x89PNG", "bad.md": b"\xff\xfe\x00", "doc/index.md": "---\ntype: document\n---\n",
         "doc/01 One.md": "one [[Alpha]]\n", "t/B.md": "twin\n", "t/b.md": "twin\n",
         "t/c.md": "[[T/B]]: one candidate, not two\n"}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kbsync.streamsync, "CHUNK", 7)  # many staged writes even on a small corpus


@pytest.mark.parametrize("order", ["sorted", "reversed"])
@pytest.mark.parametrize("source", ["twins", "corpus300"])
def test_streamed_full_sync_equals_one_batch(source: str, order: str, corpus300, tmp_path: Path, small_chunks: None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Readers return files in any order: a twin with the earlier path may come last and must still win."""
    content = write(tmp_path / "c", TWINS) if source == "twins" else corpus300[0]
    if order == "reversed":
        real = kbsync.streamsync.stream_read
        monkeypatch.setattr(kbsync.streamsync, "stream_read",
                            lambda *a: iter([[r for part in real(*a) for r in part][::-1]]))
    streamed, batched = open_store(f"sqlite://{tmp_path / 's.sqlite'}"), open_store(f"sqlite://{tmp_path / 'b.sqlite'}")
    r1 = sync_content(content, streamed, workers=1)
    r2 = sync_content(content, NoStream(batched), workers=1)
    assert snapshot(streamed) == snapshot(batched)
    assert (r1.added, r1.errors, r1.changed, sorted(map(str, r1.problems))) == \
        (r2.added, r2.errors, r2.changed, sorted(map(str, r2.problems)))
    if source == "twins":  # "B.md" < "b.md": B.md keeps slug b, whichever order the readers returned them in
        assert streamed.get("b")["path"] == "B.md" and streamed.problems()["b.md"][0]["code"] == "duplicate_slug"


def test_streamed_sync_with_a_reading_worker_equals_one_batch(corpus300, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kbsync.reading, "PARALLEL_MIN", 10)  # the reading worker even for 300 files
    monkeypatch.setattr(kbsync.streamsync, "CHUNK", 50)
    streamed, batched = open_store(f"sqlite://{tmp_path / 's.sqlite'}"), open_store(f"sqlite://{tmp_path / 'b.sqlite'}")
    sync_content(corpus300[0], streamed, workers=2)
    sync_content(corpus300[0], NoStream(batched), workers=1)
    assert snapshot(streamed) == snapshot(batched)


def test_syncer_goes_on_incrementally_after_a_stream(tmp_path: Path, small_chunks: None) -> None:
    content = write(tmp_path / "c", TWINS)
    store = open_store(f"sqlite://{tmp_path / 's.sqlite'}")
    syncer = Syncer(content, store)
    first = syncer.sync()
    assert first.added == 6 and first.errors == 3  # bad.md and the twins
    (content / "B.md").unlink()
    (content / "doc/01 One.md").write_text("one [[B]]\n", encoding="utf-8")
    r = syncer.sync()  # from what the stream left in memory: no reload
    assert (r.added, r.updated, r.errors) == (1, 1, 2) and store.get("b")["path"] == "b.md"
    ref = open_store(f"sqlite://{tmp_path / 'ref.sqlite'}")
    sync_content(content, NoStream(ref))
    assert snapshot(store) == snapshot(ref)


@pytest.mark.parametrize("where, at", [("put_encoded", 1), ("put_encoded", 3), ("put_edge_rows", 2), ("commit", 1)])
def test_failed_stream_keeps_every_old_row(where: str, at: int, corpus300, tmp_path: Path, small_chunks: None) -> None:
    content = tmp_path / "c"
    shutil.copytree(corpus300[0], content, symlinks=True)
    store = open_store(f"sqlite://{tmp_path / 's.sqlite'}")
    sync_content(content, store, workers=1)
    before, rev = snapshot(store), store.revision()
    for p in sorted((content / "notes").glob("*.md"))[:40]:
        p.write_text(p.read_text(encoding="utf-8") + "\nchanged [[nowhere]]\n", encoding="utf-8")
    with pytest.raises(ConnectionError):
        sync_content(content, FailingStore(store, where, at), full=True, workers=1)
    assert snapshot(store) == before and store.revision() == rev
    assert store._conn().execute("SELECT name FROM sqlite_master WHERE name GLOB 'stage_*'").fetchall() == []
    sync_content(content, store, full=True)
    ref = open_store(f"sqlite://{tmp_path / 'ref.sqlite'}")
    sync_content(content, NoStream(ref))
    assert snapshot(store) == snapshot(ref)


def test_reader_during_a_full_sync_sees_old_or_new_never_a_mix(corpus300, tmp_path: Path, small_chunks: None) -> None:
    content = tmp_path / "c"
    shutil.copytree(corpus300[0], content, symlinks=True)
    url = f"sqlite://{tmp_path / 's.sqlite'}"
    writer = open_store(url)
    for p in content.rglob("*.md"):
        p.write_text(p.read_text(encoding="utf-8", errors="replace") + "\nmark OLD\n", encoding="utf-8")
    sync_content(content, writer, workers=1)
    slugs = {r["slug"] for r in writer.records()}
    for p in content.rglob("*.md"):
        p.write_text(p.read_text(encoding="utf-8", errors="replace").replace("mark OLD", "mark NEW"), encoding="utf-8")
    reader = open_store(url, create=False)  # its own connection, as the API's
    seen: list[tuple[int, set[str], int]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            snap = reader.snapshot()
            marks = {m for r in snap.records for m in ("OLD", "NEW") if f"mark {m}" in r.get("text", "")}
            n = sum(1 for _ in snap.edges)
            seen.append((snap.revision, marks, n))

    t = threading.Thread(target=read)
    t.start()
    try:
        report = sync_content(content, writer, full=True, workers=1)
    finally:
        done.set()
        t.join()
    rev_new = report.revision
    by_rev = {rev: (marks, n) for rev, marks, n in seen}
    assert len(seen) >= 3 and set(by_rev) <= {rev_new - 1, rev_new}
    assert all(len(marks) == 1 for _, marks, _ in seen), "a snapshot mixed old and new records"
    assert all(by_rev[rev] == (marks, n) for rev, marks, n in seen), "one revision read two ways"
    assert {r["slug"] for r in reader.records()} == slugs
    assert by_rev.get(rev_new - 1, ({"OLD"}, 0))[0] == {"OLD"}


def test_streamed_sync_memory_does_not_grow_with_the_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory, not timed: growth of the Python heap's peak from 100 to 400 files, streamed vs one batch, same run.

    One batch holds every record until its commit; a stream holds one chunk of them, plus names and raw edges."""
    import tracemalloc

    monkeypatch.setattr(kbsync.streamsync, "CHUNK", 25)
    words = " ".join(f"word{i}" for i in range(3000))  # long bodies, few links: records are most of the memory

    def peak(n: int, stream: bool) -> int:
        content = write(tmp_path / f"c{n}", {f"n/{i}.md": f"# Note {i}\n\n{words} [[{i + 1}]]\n" for i in range(n)})
        store = open_store(f"sqlite://{tmp_path / f'{n}{stream}.sqlite'}")
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            sync_content(content, store if stream else NoStream(store), workers=1)
            return tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()

    streamed = peak(400, True) - peak(100, True)
    batched = peak(400, False) - peak(100, False)
    assert streamed < 0.25 * batched, (streamed, batched)
