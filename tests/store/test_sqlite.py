"""The store contract over the SQLite adapter (a real file), plus SQLite specifics."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kbsync.store import StoreError, open_store
from kbsync.store.sqlite import SQLiteStore, sqlite_path

from .contract import StoreContract, seed


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    s = SQLiteStore(f"sqlite://{tmp_path / 'kb.sqlite'}")
    yield s
    s.close()


class TestSQLiteContract(StoreContract):
    pass


def test_wal_mode_and_reopen_keeps_data(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'x' / 'kb.sqlite'}"
    s = open_store(url)
    seed(s)
    s.close()
    db = sqlite3.connect(tmp_path / "x" / "kb.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert open_store(url).revision() == 1


@pytest.mark.parametrize("url, path", [("sqlite:///tmp/a.sqlite", "/tmp/a.sqlite"), ("sqlite:////tmp/a.sqlite", "/tmp/a.sqlite"),
                                       ("sqlite://rel/a.sqlite", "rel/a.sqlite"), ("sqlite:///:memory:", ":memory:")])
def test_url_forms(url: str, path: str) -> None:
    assert sqlite_path(url) == path


def test_unknown_scheme_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="unsupported store URL"):
        open_store("postgres://x")


def test_old_layout_is_refused_until_migrated(tmp_path: Path) -> None:
    from kbsync.store.base import Batch
    from kbsync.store.sqlite import SCHEMA_VERSION

    url = f"sqlite://{tmp_path / 'kb.sqlite'}"
    s = open_store(url)
    seed(s)
    s._conn().execute("UPDATE meta SET value='1' WHERE key='schema_version'")  # as an older kb left it
    s.close()
    old = open_store(url)
    with pytest.raises(StoreError, match="kb migrate"):
        old.apply(Batch(deletes=["a"]))
    assert old.migrate() is True and old.schema_version() == SCHEMA_VERSION
    assert old.revision() == 2 and list(old.records()) == []  # emptied; the next sync refills it from the files
    assert old.migrate() is False
