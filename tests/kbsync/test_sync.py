"""Incremental sync: no-op writes nothing, one edit touches one entry, renames/deletes, equal to a full sync."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kbsync.store import open_store
from kbsync.store.snapshot import snapshot
from kbsync.sync import sync_content
from tests.conftest import write

BASE = {
    "A.md": "---\ntitle: Alpha\n---\nLinks to [[B]] and [[Gamma Alias]] and [[Later]]. @pat\n",
    "B.md": "# Bee\n\nBack to [[A]]. [[Alpha]] by title.\n",
    "sub/C.md": "---\naliases: [Gamma Alias]\n---\nC links [[B#Bee]] and ![[pic.png]].\n",
    "sub/pic.png": b"\x89PNG fake",
    "people/pat.md": "---\ntype: person\n---\nPat.\n",
    "doc/index.md": "---\ntype: document\n---\nA document.\n",
    "doc/01 One.md": "One.\n",
    "doc/02 Two.md": "Two.\n",
}


@pytest.fixture
def kb(tmp_path: Path):
    content = write(tmp_path / "content", BASE)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    return content, store, tmp_path


def full_snapshot(content: Path, tmp: Path) -> dict:
    ref = open_store(f"sqlite://{tmp / f'ref{os.getpid()}{len(list(tmp.iterdir()))}.sqlite'}")
    sync_content(content, ref, full=True)
    return snapshot(ref)


def rows(store, slugs) -> dict:
    return {s: store.get(s) for s in slugs}


def test_noop_resync_writes_nothing(kb) -> None:
    content, store, _ = kb
    rev = store.revision()
    before = snapshot(store)
    report = sync_content(content, store)
    assert (report.added, report.updated, report.deleted, report.revision) == (0, 0, 0, rev)
    assert report.unchanged == 7
    assert snapshot(store) == before


def test_touch_without_change_bumps_nothing(kb) -> None:
    content, store, _ = kb
    rev = store.revision()
    os.utime(content / "A.md", ns=(1, 1))
    report = sync_content(content, store)
    assert report.updated == 0 and store.revision() == rev


def test_editing_one_file_changes_only_its_rows_and_edges(kb) -> None:
    content, store, tmp = kb
    others = [r["slug"] for r in store.entries() if r["slug"] != "b"]
    before = {s: (store.get(s), list(store.edges_from([s]))) for s in others}
    (content / "B.md").write_text("# Bee\n\nNow links [[sub/C]] instead.\n", encoding="utf-8")
    report = sync_content(content, store)
    assert (report.updated, report.changed) == (1, ["b"])
    after = {s: (store.get(s), list(store.edges_from([s]))) for s in others}
    for s in others:  # rows and owned edges of every other entry unchanged, except derived backlinks
        b_rec, b_edges = before[s]
        a_rec, a_edges = after[s]
        assert a_edges == b_edges, s
        assert {k: v for k, v in a_rec.items() if k != "backlinks"} == {k: v for k, v in b_rec.items() if k != "backlinks"}
    assert {"source": "b", "kind": "link"} in store.get("sub/c")["backlinks"]
    assert {"source": "b", "kind": "link"} not in store.get("a")["backlinks"]
    assert snapshot(store) == full_snapshot(content, tmp)


@pytest.mark.parametrize("change", ["add_target", "delete_target", "rename_title", "add_alias", "rename_file",
                                    "add_person", "remove_attachment", "add_chapter", "move_folder"])
def test_incremental_equals_full(kb, change: str) -> None:
    content, store, tmp = kb
    if change == "add_target":
        write(content, {"Later.md": "New target.\n"})
    elif change == "delete_target":
        (content / "B.md").unlink()
    elif change == "rename_title":
        write(content, {"A.md": "---\ntitle: Alpha Prime\n---\nLinks to [[B]].\n"})
    elif change == "add_alias":
        write(content, {"doc/02 Two.md": "---\naliases: [Later]\n---\nTwo.\n"})
    elif change == "rename_file":
        (content / "B.md").rename(content / "sub" / "B.md")
    elif change == "add_person":
        (content / "people/pat.md").unlink()
        write(content, {"people/pat2.md": "---\ntype: person\nhandle: pat\n---\n"})
    elif change == "remove_attachment":
        (content / "sub/pic.png").unlink()
    elif change == "add_chapter":
        write(content, {"doc/03 Three.md": "Three.\n"})
    elif change == "move_folder":
        shutil.move(content / "sub", content / "moved")
    sync_content(content, store)
    assert snapshot(store) == full_snapshot(content, tmp)


def test_paths_limited_sync_matches_full(kb) -> None:
    content, store, tmp = kb
    write(content, {"Later.md": "Later links [[A]].\n", "B.md": "# Bee\n\nchanged\n"})
    (content / "sub/C.md").unlink()
    sync_content(content, store, paths=["Later.md", "B.md", "sub/C.md"])
    assert snapshot(store) == full_snapshot(content, tmp)


def test_chapters_in_order_and_document_backref(kb) -> None:
    _, store, _ = kb
    assert store.get("doc/index")["chapters"] == ["doc/01-one", "doc/02-two"]
    assert store.get("doc/02-two")["document"] == "doc/index"


def test_broken_file_does_not_block_the_rest(kb) -> None:
    content, store, _ = kb
    write(content, {"bad.md": b"\xff\xfe garbage \x00", "Later.md": "fine [[A]]\n"})
    report = sync_content(content, store)
    assert report.added == 1 and store.get("later") is not None
    assert "bad.md" in store.problems()
    (content / "bad.md").write_text("fixed now\n", encoding="utf-8")
    sync_content(content, store)
    assert store.get("bad") is not None and "bad.md" not in store.problems()


def test_slug_collision_first_path_wins_and_later_is_reported(kb) -> None:
    content, store, tmp = kb
    write(content, {"b.md": "lower case twin\n"})  # "B.md" < "b.md": B.md keeps slug b
    sync_content(content, store)
    assert store.get("b")["path"] == "B.md"
    assert store.problems()["b.md"][0]["code"] == "duplicate_slug"
    (content / "B.md").unlink()  # now the twin takes over
    sync_content(content, store)
    assert store.get("b")["path"] == "b.md" and "b.md" not in store.problems()
    assert snapshot(store) == full_snapshot(content, tmp)


def test_full_resync_rebuilds_same_state(kb) -> None:
    content, store, tmp = kb
    before = snapshot(store)
    sync_content(content, store, full=True)
    assert snapshot(store) == before


def test_hidden_folders_and_symlink_loops(tmp_path: Path) -> None:
    content = write(tmp_path / "c", {"a.md": "A", ".obsidian/x.md": "hidden", ".git/y.md": "git", "z/b.md": "B"})
    (content / "z" / "loop").symlink_to("..", target_is_directory=True)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    report = sync_content(content, store)
    assert sorted(r["slug"] for r in store.entries()) == ["a", "z/b"]
    assert any(p["code"] == "symlink_loop" for p in report.problems)


def test_long_lived_syncer_matches_full_sync_after_many_edits(kb) -> None:
    """The watcher and server keep one Syncer; its cached view must never drift from the store."""
    from kbsync.sync import Syncer

    content, store, tmp = kb
    syncer = Syncer(content, store)
    steps = [
        lambda: write(content, {"Later.md": "Later [[A]] [[Gamma Alias]]\n"}),
        lambda: write(content, {"A.md": "---\ntitle: Alpha\naliases: [First]\n---\n[[Later]] @pat\n"}),
        lambda: (content / "sub/C.md").unlink(),
        lambda: write(content, {"B.md": "[[First]] and [[C]]\n"}),
        lambda: (content / "Later.md").rename(content / "sub" / "Later.md"),
        lambda: write(content, {"people/pat.md": "---\ntype: note\n---\nno longer a person\n"}),
    ]
    def files() -> set[str]:
        return {p.relative_to(content).as_posix() for p in content.rglob("*")}

    for i, step in enumerate(steps):
        before = files()
        step()
        # odd steps walk the tree; even ones name the changed paths, as the watcher does (old and new)
        syncer.sync(paths=None if i % 2 else sorted(before | files()))
        assert snapshot(store) == full_snapshot(content, tmp), f"step {i}"


def test_syncer_reloads_when_someone_else_wrote(kb) -> None:
    from kbsync.sync import Syncer

    content, store, tmp = kb
    mine = Syncer(content, store)
    mine.sync()
    write(content, {"Later.md": "x [[A]]\n"})
    sync_content(content, store)  # another writer
    (content / "Later.md").unlink()
    mine.sync(paths=["Later.md"])
    assert store.get("later") is None
    assert snapshot(store) == full_snapshot(content, tmp)


def test_keywords_when_enabled(tmp_path: Path) -> None:
    from kbsync.derive import Options

    text = "Kettlebell swings train the posterior chain. " * 3 + "Swings with a heavy kettlebell build grip strength."
    content = write(tmp_path / "c", {"k.md": text, "short.md": "hi"})
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store, options=Options(keywords=True))
    assert any("kettlebell" in k.lower() for k in store.get("k")["keywords"])
    assert store.get("short")["keywords"] == []
    off = open_store(f"sqlite://{tmp_path / 'off.sqlite'}")
    sync_content(content, off)
    assert off.get("k")["keywords"] == []


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_reading_equals_serial_reading(corpus2000, tmp_path: Path, workers: int) -> None:
    """Slices go to workers on demand and come back in any order: the store must not notice."""
    src, _ = corpus2000
    serial, parallel = open_store(f"sqlite://{tmp_path / 's.sqlite'}"), open_store(f"sqlite://{tmp_path / 'p.sqlite'}")
    expected = sync_content(src, serial, workers=1)
    seen: list[tuple[int, int]] = []
    report = sync_content(src, parallel, workers=workers, progress=lambda done, total: seen.append((done, total)))
    assert snapshot(parallel) == snapshot(serial)
    assert (report.added, report.errors, len(report.problems)) == (expected.added, expected.errors, len(expected.problems))
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1][0] == seen[-1][1]  # progress only moves forward, and ends complete


def test_limited_sync_keeps_problems_found_elsewhere(tmp_path: Path) -> None:
    """A sync naming one changed file keeps the problems a full walk found in other places (kb serve's watcher)."""
    content = write(tmp_path / "content", {"A.md": "# A\n", "B.md": "# B\n"})
    os.symlink("/etc/passwd", content / "p.md")
    st = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    try:
        sync_content(content, st)
        assert "p.md" in st.problems()
        (content / "A.md").write_text("# A\n\nedited [[B]]\n", encoding="utf-8")
        sync_content(content, st, paths=["A.md"])
        assert "p.md" in st.problems(), "a one-file sync forgot the symlink problem"
        (content / "p.md").unlink()
        sync_content(content, st, paths=["p.md"])
        assert "p.md" not in st.problems(), "a named path that is fine again keeps its old problem"
    finally:
        st.close()
