"""The query fixture vault, synced by kb itself into a store, in a git repo with fixed commit dates."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kbsync.query import PageSet
from kbsync.store import open_store
from kbsync.sync import sync_content

VAULT = Path(__file__).resolve().parents[2] / "fixtures" / "query_vault"
NOW = dt.datetime(2024, 6, 1, 9, 30)  # date(today) in every test
FIRST = "2024-01-10T10:00:00+00:00"  # everything but daily/ and Tetris
SECOND = "2024-05-20T12:00:00+00:00"  # daily/, Tetris, and an edit of Dune


def _git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture(scope="session")
def vault_store(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("query_vault") / "content"
    shutil.copytree(VAULT, root)
    _git(root, "init", "-q")
    _git(root, "add", "-A", "--", ".", ":!daily", ":!games/Tetris.md")
    _git(root, "commit", "-q", "-m", "first", date=FIRST)
    with (root / "books" / "Dune.md").open("a", encoding="utf-8") as f:
        f.write("\nRe-read in May.\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "second", date=SECOND)
    store = open_store(f"sqlite://{root.parent / 'kb.sqlite'}")
    sync_content(root, store)
    yield root, store
    store.close()


def _pageset(store, viewer: str) -> PageSet:
    files = {p: (s.mtime_ns, s.size) for p, s in store.file_states().items()}
    return PageSet(list(store.entries()), viewer, files)


@pytest.fixture(scope="session")
def records(vault_store) -> list[dict]:
    return list(vault_store[1].entries())


@pytest.fixture(scope="session")
def pages(vault_store) -> PageSet:
    return _pageset(vault_store[1], "public")


@pytest.fixture(scope="session")
def owner_pages(vault_store) -> PageSet:
    return _pageset(vault_store[1], "owner")
