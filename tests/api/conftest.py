"""API fixtures: a SQLite store synced from a 300-entry gen_corpus, its read model, and a TestClient."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fakes import ORIGIN, TOKEN
from fastapi.testclient import TestClient

from api.app import create_app
from kbsync.settings import Settings
from kbsync.view.readmodel import ReadModel


@pytest.fixture(scope="session")
def synced(corpus300: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict]:
    """(store, truth): the real core pipeline, `kbsync.sync.sync_content`, into a SQLite file."""
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    content, truth = corpus300
    store = open_store(f"sqlite://{tmp_path_factory.mktemp('apistore') / 'kb.sqlite'}")
    sync_content(content, store)
    return store, truth


@pytest.fixture(scope="session")
def store(synced: tuple[Any, dict]) -> Any:
    return synced[0]


@pytest.fixture(scope="session")
def truth(synced: tuple[Any, dict]) -> dict:
    return synced[1]


@pytest.fixture(scope="session")
def model(store: Any) -> ReadModel:
    return ReadModel.from_store(store)


@pytest.fixture(scope="session")
def client(store: Any) -> Iterator[TestClient]:
    """The whole app over the synced store, lifespan included (background refresher running)."""
    app = create_app(Settings(api_token=TOKEN, cors_origins=[ORIGIN], refresh_interval=0.2), store)
    with TestClient(app) as c:
        assert app.state.holder.wait_ready(60)
        yield c


@pytest.fixture(scope="session")
def slugs(store: Any) -> dict[str, list[str]]:
    """Slugs by visibility, straight from the store."""
    out: dict[str, list[str]] = {"public": [], "private": [], "draft": []}
    for rec in store.entries():
        out[rec["visibility"]].append(rec["slug"])
    return out

