"""kbsync.discover: the content boundary. Nothing whose real path is outside the content folder, and no
special file, is listed or read; symlinks that stay inside keep working; each refusal is a `path:0` problem."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbsync.discover import BoundaryError, discover, read_inside, stat_one
from kbsync.store import open_store
from kbsync.sync import sync_content

# name -> (target relative to the tmp dir or absolute, is a folder, expected problem code or None if it is fine)
ATTACKS: dict[str, tuple[str, bool, str | None]] = {
    "passwd.md": ("/etc/passwd", False, "outside"),
    "environ.png": ("/proc/self/environ", False, "outside"),
    "etc": ("/etc", True, "outside"),
    "up": ("..", True, "outside"),
    "secret.md": ("outside/secret.md", False, "outside"),
    "dangling.md": ("content/nowhere.md", False, "unreadable"),
    "self": (".", True, "symlink_loop"),
    "twin.md": ("content/good.md", False, None),
    "alias": ("content/sub", True, "symlink_loop"),  # a folder is listed once, under its real path
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp/content with good files and every attack symlink; tmp/outside holds a canary."""
    content = tmp_path / "content"
    (content / "sub").mkdir(parents=True)
    (content / "good.md").write_text("# Good\n")
    (content / "sub" / "inner.md").write_text("# Inner\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text("CANARY-OUTSIDE\n")
    for name, (target, is_dir, _) in ATTACKS.items():
        t = target if target.startswith("/") else (
            target if target in ("..", ".") else os.path.relpath(tmp_path / target, content))
        (content / name).symlink_to(t, target_is_directory=is_dir)
    os.mkfifo(content / "pipe.md")
    return content


def test_every_attack_is_refused_and_good_paths_listed(tree: Path) -> None:
    d = discover(tree)
    assert sorted(d.entries) == ["good.md", "sub/inner.md", "twin.md"]
    assert d.attachments == {}
    codes = {p["path"]: p["code"] for p in d.problems}
    for name, (_, _, code) in ATTACKS.items():
        if code is not None:
            assert codes.get(name) == code, name
    assert codes["pipe.md"] == "special_file"
    assert all(p["line"] == 0 and p["level"] == "error" for p in d.problems)


@pytest.mark.parametrize("rel, listed", [
    ("passwd.md", False), ("environ.png", False), ("etc/passwd", False), ("up/outside/secret.md", False),
    ("secret.md", False), ("pipe.md", False), ("dangling.md", False), ("twin.md", True), ("alias/inner.md", True),
])
def test_stat_one_applies_the_same_boundary(tree: Path, rel: str, listed: bool) -> None:
    problems: list = []
    assert (stat_one(tree, rel, problems) is not None) is listed
    if not listed:
        assert [p["path"] for p in problems] == [rel]


@pytest.mark.parametrize("rel", ["passwd.md", "environ.png", "secret.md", "pipe.md", "up/outside/secret.md",
                                 "etc/passwd"])
def test_read_inside_refuses_without_blocking(tree: Path, rel: str) -> None:
    with pytest.raises(BoundaryError):
        read_inside(str(tree / rel), rel)


@pytest.mark.parametrize("rel, text", [("good.md", b"# Good\n"), ("sub/inner.md", b"# Inner\n"),
                                       ("alias/inner.md", b"# Inner\n"), ("twin.md", b"# Good\n")])
def test_read_inside_reads_files_inside_directly_or_through_a_symlink(tree: Path, rel: str, text: bytes) -> None:
    assert read_inside(str(tree / rel), rel) == text


def test_sync_indexes_good_files_only_and_reports_each_refusal(tree: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    report = sync_content(tree, store)
    assert sorted(r["path"] for r in store.entries()) == ["good.md", "sub/inner.md", "twin.md"]
    texts = " ".join(str(r.get("text")) for r in store.entries())
    assert "root:" not in texts and "CANARY" not in texts
    assert {"passwd.md", "environ.png", "etc", "up", "secret.md", "pipe.md", "self"} <= {
        p["path"] for p in report.problems}
    # A sync limited to named paths (the watcher's) applies the same boundary.
    report = sync_content(tree, store, paths=["passwd.md", "etc", "up", "pipe.md", "twin.md"])
    assert sorted(r["path"] for r in store.entries()) == ["good.md", "sub/inner.md", "twin.md"]
    assert {"passwd.md", "etc", "up", "pipe.md"} <= {p["path"] for p in report.problems}
    store.close()


def test_folder_named_in_a_limited_sync_keeps_its_inside_symlinks(tree: Path, tmp_path: Path) -> None:
    """The boundary of a folder re-walked by a limited sync is the content root, not the folder."""
    (tree / "sub" / "back.md").symlink_to("../good.md")
    (tree / "sub" / "out.md").symlink_to(tmp_path / "outside" / "secret.md")
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(tree, store)
    report = sync_content(tree, store, paths=["sub"])
    paths = sorted(r["path"] for r in store.entries())
    assert "sub/back.md" in paths and "sub/out.md" not in paths
    assert "sub/out.md" in {p["path"] for p in report.problems}
    store.close()
