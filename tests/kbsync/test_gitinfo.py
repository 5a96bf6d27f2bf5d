"""kbsync.gitinfo over a temporary repository with a scripted history."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kbsync.gitinfo import ChangeSet, GitError, HistoryCache, changed_since, file_history

# (author, date, operations); op = ("write", path, text) | ("mv", old, new) | ("rm", path)
HISTORY = [
    ("Alice", "2024-01-01T10:00:00+00:00", [
        ("write", "content/a.md", "# A\n"),
        ("write", "content/with space.md", "spaces\n"),
        ("write", "content/café.md", "unicode\n"),
        ("write", "README.md", "outside the content dir\n"),
    ]),
    ("Bob", "2024-02-01T10:00:00+00:00", [
        ("write", "content/a.md", "# A\n\nmore\n"),
        ("write", "content/b.md", "first b\n"),
    ]),
    ("Carol", "2024-03-01T10:00:00+00:00", [
        ("mv", "content/a.md", "content/sub/renamed a.md"),
        ("rm", "content/b.md"),
    ]),
    ("Alice", "2024-04-01T12:00:00+02:00", [
        ("write", "content/b.md", "a new b, unrelated to the first\n"),
        ("write", "content/café.md", "unicode, edited\n"),
    ]),
    ("Dave", "2024-05-01T10:00:00+00:00", [
        ("write", "README.md", "only outside\n"),
    ]),
]


def git(repo: Path, *args: str, **env: str) -> str:
    full_env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", **env)
    return subprocess.run(["git", *args], cwd=repo, env=full_env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    git(root, "init", "-q", "-b", "main")
    for author, date, ops in HISTORY:
        for op in ops:
            if op[0] == "write":
                path = root / op[1]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(op[2], encoding="utf-8")
                git(root, "add", "--", op[1])
            elif op[0] == "mv":
                (root / op[2]).parent.mkdir(parents=True, exist_ok=True)
                git(root, "mv", op[1], op[2])
            else:
                git(root, "rm", "-q", op[1])
        ident = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": f"{author.lower()}@example.org",
                 "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_NAME": author,
                 "GIT_COMMITTER_EMAIL": f"{author.lower()}@example.org", "GIT_COMMITTER_DATE": date}
        git(root, "commit", "-q", "-m", f"{author} {date}", **ident)
    return root


def rev(repo: Path, n: int) -> str:
    """The commit after HISTORY[n] (0-based)."""
    return git(repo, "rev-list", "--reverse", "HEAD").split()[n]


@pytest.mark.parametrize(("path", "created", "updated", "authors"), [
    ("sub/renamed a.md", "2024-01-01T10:00:00+00:00", "2024-03-01T10:00:00+00:00", ["Alice", "Bob", "Carol"]),
    ("with space.md", "2024-01-01T10:00:00+00:00", "2024-01-01T10:00:00+00:00", ["Alice"]),
    ("café.md", "2024-01-01T10:00:00+00:00", "2024-04-01T12:00:00+02:00", ["Alice"]),
    # deleted then re-created: a new file, Bob's old b.md history does not carry over
    ("b.md", "2024-04-01T12:00:00+02:00", "2024-04-01T12:00:00+02:00", ["Alice"]),
])
def test_history_per_file(repo, path, created, updated, authors):
    hist = file_history(repo / "content")
    assert hist[path].created == created
    assert hist[path].updated == updated
    assert hist[path].authors == authors
    assert hist[path].as_record_fields() == {"created": created, "updated": updated, "authors": authors}


def test_history_lists_only_current_content_files(repo):
    assert sorted(file_history(repo / "content")) == ["b.md", "café.md", "sub/renamed a.md", "with space.md"]


def test_history_from_repo_root_uses_root_relative_paths(repo):
    hist = file_history(repo)
    assert hist["README.md"].authors == ["Alice", "Dave"]
    assert hist["content/sub/renamed a.md"].created == "2024-01-01T10:00:00+00:00"


def test_history_is_one_git_log_call(repo, monkeypatch):
    import kbsync.gitinfo as gi

    calls: list[tuple[str, ...]] = []
    real = gi._git
    monkeypatch.setattr(gi, "_git", lambda cwd, *a: calls.append(a) or real(cwd, *a))
    file_history(repo / "content")
    assert [c[0] for c in calls].count("log") == 1
    assert len(calls) <= 3  # rev-parse x2 + log, whatever the number of files


@pytest.mark.parametrize(("since", "worktree", "expected"), [
    (1, False, ChangeSet(changed=["b.md", "café.md"], deleted=[], renamed=[("a.md", "sub/renamed a.md")])),
    (2, False, ChangeSet(changed=["b.md", "café.md"], deleted=[], renamed=[])),
    (3, False, ChangeSet(changed=[], deleted=[], renamed=[])),  # Dave's commit touched only README.md
    (4, False, ChangeSet(changed=[], deleted=[], renamed=[])),
])
def test_changed_since_commits(repo, since, worktree, expected):
    assert changed_since(repo / "content", rev(repo, since), include_worktree=worktree) == expected


def test_changed_since_includes_working_tree_by_default(tmp_path, repo):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    (clone / "content" / "with space.md").write_text("edited, not committed\n", encoding="utf-8")
    (clone / "content" / "new note.md").write_text("untracked\n", encoding="utf-8")
    (clone / "content" / "café.md").unlink()
    (clone / ".gitignore").write_text("*.tmp\n")
    (clone / "content" / "ignored.tmp").write_text("ignored\n")
    head = git(clone, "rev-parse", "HEAD").strip()
    got = changed_since(clone / "content", head)
    assert got == ChangeSet(changed=["new note.md", "with space.md"], deleted=["café.md"], renamed=[])
    assert got.paths() == ["café.md", "new note.md", "with space.md"]
    assert changed_since(clone / "content", head, include_worktree=False).paths() == []


def test_changeset_paths_include_both_rename_sides():
    cs = ChangeSet(changed=["x.md"], deleted=["y.md"], renamed=[("old.md", "new.md")])
    assert cs.paths() == ["new.md", "old.md", "x.md", "y.md"]
    assert list(cs) == cs.paths()  # iterable: what `sync_content(paths=...)` takes


@pytest.mark.parametrize("bad_rev", ["no-such-rev", "0" * 40])
def test_changed_since_unknown_revision_raises(repo, bad_rev):
    with pytest.raises(GitError, match="unknown revision"):
        changed_since(repo / "content", bad_rev)


def test_outside_a_repository(tmp_path, monkeypatch):
    (tmp_path / "x.md").write_text("x")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert file_history(tmp_path) == {}
    with pytest.raises(GitError):
        changed_since(tmp_path, "HEAD")


def test_history_cache_rereads_only_when_head_moves(tmp_path, repo, monkeypatch):
    import kbsync.gitinfo as gi

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    logs: list[int] = []
    real = gi.file_history
    monkeypatch.setattr(gi, "file_history", lambda d: logs.append(1) or real(d))
    cache = HistoryCache(clone / "content")
    assert cache.fields("b.md")["authors"] == ["Alice"]
    (clone / "content" / "b.md").write_text("uncommitted edit\n")
    assert cache.fields("b.md")["authors"] == ["Alice"] and len(logs) == 1  # same HEAD: no new git log
    git(clone, "commit", "-q", "-am", "Eve edits b", GIT_AUTHOR_NAME="Eve", GIT_AUTHOR_EMAIL="e@x",
        GIT_COMMITTER_NAME="Eve", GIT_COMMITTER_EMAIL="e@x", GIT_AUTHOR_DATE="2024-06-01T00:00:00+00:00")
    assert cache.fields("b.md") == {"created": "2024-04-01T12:00:00+02:00", "updated": "2024-06-01T00:00:00+00:00",
                                    "authors": ["Alice", "Eve"]}
    assert len(logs) == 2
    assert cache.fields("not committed.md") == {}
