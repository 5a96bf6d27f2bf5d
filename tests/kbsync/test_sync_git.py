"""Git-aware sync: dates and authors from history, `kb sync --since REV`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbsync.store import open_store
from kbsync.store.snapshot import snapshot
from kbsync.sync import Syncer, sync_content
from tests.conftest import write


def git(repo: Path, *args: str, date: str = "2024-01-01T10:00:00", author: str = "Ada") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": author,
           "GIT_COMMITTER_EMAIL": "a@x", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path / "content", {"A.md": "[[B]]\n", "B.md": "b\n", "C.md": "c\n"})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "one")
    return tmp_path


def test_dates_and_authors_follow_commits_even_without_content_change(repo: Path) -> None:
    content = repo / "content"
    store = open_store(f"sqlite://{repo / 'kb.sqlite'}")
    syncer = Syncer(content, store)
    syncer.sync()
    a = store.get("a")
    assert a["created"].startswith("2024-01-01") and a["updated"].startswith("2024-01-01") and a["authors"] == ["Ada"]
    write(content, {"A.md": "[[B]] edited\n"})
    syncer.sync()  # synced before it is committed: git knows no newer date yet
    assert store.get("a")["updated"].startswith("2024-01-01")
    git(repo, "commit", "-qam", "two", date="2024-03-05T09:00:00", author="Grace")
    report = syncer.sync()  # same bytes on disk, new history
    a = store.get("a")
    assert report.updated == 1 and a["updated"].startswith("2024-03-05") and a["authors"] == ["Ada", "Grace"]
    assert store.get("b")["updated"].startswith("2024-01-01")
    fresh = open_store(f"sqlite://{repo / 'fresh.sqlite'}")
    sync_content(content, fresh)
    assert snapshot(fresh)["entries"] == snapshot(store)["entries"]


def test_since_touches_only_changed_entries_and_matches_full(repo: Path) -> None:
    content = repo / "content"
    url = f"sqlite://{repo / 'kb.sqlite'}"
    kb = [sys.executable, "-m", "kbsync", "sync", "--json", "--content", str(content), "--store", url]
    subprocess.run(kb, check=True, capture_output=True, env={**os.environ, "KB_KEYWORDS": "0"})
    base = git(repo, "rev-parse", "HEAD").strip()
    write(content, {"B.md": "b changed [[C]]\n", "D.md": "new\n"})
    (content / "C.md").rename(content / "C2.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "three", date="2024-02-01T00:00:00")
    out = subprocess.run([*kb, "--since", base], check=True, capture_output=True, text=True,
                         env={**os.environ, "KB_KEYWORDS": "0"})
    summary = json.loads(out.stdout)
    assert (summary["added"], summary["updated"], summary["deleted"], summary["unchanged"]) == (2, 1, 1, 1)
    ref = open_store(f"sqlite://{repo / 'ref.sqlite'}")
    sync_content(content, ref, full=True)
    assert snapshot(open_store(url))["entries"] == snapshot(ref)["entries"]


def test_since_unknown_revision_is_a_clear_cli_error(repo: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "kbsync", "sync", "--since", "nope123", "--content",
                          str(repo / "content"), "--store", f"sqlite://{repo / 'kb.sqlite'}"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "--since" in out.stderr and "Traceback" not in out.stderr
