"""kbsync/roles.py: KB_ROLE (with the deprecated KB_SERVE_WATCH alias) and the reader's read-only store."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from pydantic import ValidationError

from kbsync.derive import Options
from kbsync.roles import (
    ReadOnlySQLiteStore,
    check_layout,
    open_reader_store,
    resolve_role,
    serves_http,
    writes,
)
from kbsync.settings import Settings
from kbsync.store import Batch, StoreError, open_store
from kbsync.sync import sync_content


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch):
    for key in ("KB_ROLE", "KB_SERVE_WATCH"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


@pytest.mark.parametrize(("role", "serve_watch", "expected"), [
    (None, None, "all"),  # `make run`: today's kb serve
    ("writer", None, "writer"),
    ("reader", None, "reader"),
    (" Reader ", None, "reader"),
    ("ALL", None, "all"),
    (None, "false", "reader"),  # deprecated alias: an API replica beside one sync worker
    (None, "true", "all"),
    ("all", "false", "all"),  # KB_ROLE named: it wins
    ("writer", "false", "writer"),
])
def test_resolve_role(env, role, serve_watch, expected):
    if role is not None:
        env.setenv("KB_ROLE", role)
    if serve_watch is not None:
        env.setenv("KB_SERVE_WATCH", serve_watch)
    assert resolve_role(Settings()) == expected


@pytest.mark.parametrize("bad", ["both", "", "write"])
def test_unknown_role_names_the_three(env, bad):
    env.setenv("KB_ROLE", bad)
    with pytest.raises(ValidationError, match="'all', 'writer' or 'reader'"):
        Settings()


@pytest.mark.parametrize(("role", "write", "http"), [("all", True, True), ("writer", True, False),
                                                      ("reader", False, True)])
def test_what_each_role_does(role, write, http):
    assert (writes(role), serves_http(role)) == (write, http)


def seeded(path: Path) -> str:
    """A store at revision 1 holding one entry, `a`, written by a normal sync."""
    content = path.parent / "content"
    content.mkdir(exist_ok=True)
    (content / "a.md").write_text("---\ntitle: A\n---\nText.\n", encoding="utf-8")
    url = f"sqlite://{path}"
    st = open_store(url)
    sync_content(content, st, options=Options(keywords=False))
    st.close()
    return url


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reader_store_reads_and_cannot_write(tmp_path, env):
    db = tmp_path / "kb.sqlite"
    url = seeded(db)
    before = digest(db)
    st = ReadOnlySQLiteStore(url)
    assert st.revision() == 1 and set(st.file_states()) == {"a.md"} and st.get("a") is not None
    check_layout(st)
    with pytest.raises(StoreError, match="read-only"):
        st.apply(Batch(forget_files=["a.md"]))
    with pytest.raises(StoreError, match="read-only"):
        st.migrate()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):  # even below the Store interface
        st._conn().execute("UPDATE meta SET value='9' WHERE key='revision'")
    st.close()
    assert digest(db) == before


def test_reader_store_before_the_writer_made_it(tmp_path, env):
    db = tmp_path / "kb.sqlite"
    env.setenv("KB_STORE_URL", f"sqlite://{db}")
    st = open_reader_store(Settings())
    check_layout(st)  # not there yet: fine, the API is not ready until it is
    with pytest.raises(StoreError, match=f"{db} does not exist yet"):
        st.revision()
    assert not db.exists()
    seeded(db)
    assert st.revision() == 1  # picked up once the writer has created it


def test_reader_refuses_another_layout(tmp_path, env):
    db = tmp_path / "kb.sqlite"
    url = seeded(db)
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="layout 1.*kb migrate"):
        check_layout(ReadOnlySQLiteStore(url))


def test_reader_cannot_share_a_memory_store(env):
    env.setenv("KB_STORE_URL", "sqlite:///:memory:")
    with pytest.raises(StoreError, match="in-memory"):
        open_reader_store(Settings())
