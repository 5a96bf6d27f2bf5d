"""A k8s `kb-api` reader over the MongoDB double: no content folder, and it never writes the store.

The MongoDB double (mongomock-ng) lives in one process, so this runs `kb serve`'s reader path in process:
the container's exact environment (ConfigMap + env, as `local_services` reads them), its `mongodb://` URL
answered by the double, and uvicorn replaced by an in-process client of the very app `kb serve` builds.
`test_roles_local.py` covers the same roles across processes over a shared SQLite file.
"""
from __future__ import annotations

import os
import time
from typing import Any

import mongomock_ng
import pytest
from fastapi.testclient import TestClient
from local_services import services

from api.app import create_app
from kbsync import serving
from kbsync.cli_site import _reader_store
from kbsync.derive import Options
from kbsync.roles import resolve_role
from kbsync.settings import Settings
from kbsync.store import mongo, open_store
from kbsync.sync import sync_content


def fingerprint(client: Any, db: str) -> dict[str, Any]:
    """Everything the store holds: the meta document (revision, generation, leases) and every collection."""
    d = client[db]
    return {name: sorted(map(repr, d[name].find())) for name in d.list_collection_names()}


def container_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key in [k for k in os.environ if k.startswith("KB_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_k8s_reader_over_the_mongodb_double(monkeypatch, tmp_path):
    client = mongomock_ng.MongoClient()
    monkeypatch.setattr(mongo, "MongoClient", lambda url, **kw: client)
    (writer,) = [s for s in services("k8s") if s.name == "k8s/kb-sync"]
    (reader,) = [s for s in services("k8s") if s.name == "k8s/kb-api"]

    # what the writer committed (its checkout is a temp folder here)
    content = tmp_path / "content"
    content.mkdir()
    (content / "home.md").write_text("---\ntitle: Home\n---\nA note about zqmongo.\n", encoding="utf-8")
    container_env(monkeypatch, {**writer.env, "KB_CONTENT_DIR": str(content)})
    written = open_store(Settings().resolved_store_url(), mongodb_db=Settings().mongodb_db)
    sync_content(content, written, options=Options(keywords=False))
    db = Settings().mongodb_db
    before = fingerprint(client, db)

    # the reader: exactly its container's environment; /git and /data/content do not exist here
    container_env(monkeypatch, reader.env)
    s = Settings()
    assert resolve_role(s) == "reader" and not s.content_dir.exists()
    for name, what in [("apply", "a batch"), ("migrate", "a migration")]:
        monkeypatch.setattr(mongo.MongoStore, name, lambda *a, _w=what: pytest.fail(f"a reader wrote {_w}"))
    answers: dict[str, Any] = {}

    def in_process(settings: Any, store: Any, on_app: Any = None) -> None:
        with TestClient(create_app(settings, store)) as http:
            deadline = time.monotonic() + 30
            while http.get("/api/ready").status_code != 200:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            answers["search"] = http.get("/api/search", params={"q": "zqmongo"}).json()
            answers["health"] = http.get("/api/health").json()

    monkeypatch.setattr("api.server.serve", in_process)
    serving.run_serve(s, _reader_store(s), resolve_role(s))
    assert [h["slug"] for h in answers["search"]["hits"]] == ["home"]
    assert answers["health"]["status"] == "ok"
    assert fingerprint(client, db) == before, "the reader changed the store"
