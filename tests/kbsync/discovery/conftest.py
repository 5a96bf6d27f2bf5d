"""Fixtures for discovery: a planted 2,000-entry corpus synced into a store, and small record builders."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kbsync.store import open_store
from kbsync.sync import sync_content
from kbsync.testing.corpus import ensure
from tests.conftest import write


@dataclass
class Planted:
    content: Path
    truth: dict[str, Any]
    records: list[dict[str, Any]]  # store.entries(): full records with links

    @property
    def path(self) -> dict[str, str]:
        return {r["slug"]: r["path"] for r in self.records}


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    """`python -m kbsync.testing.corpus --entries 2000 --planted`, synced into SQLite."""
    out = tmp_path_factory.mktemp("planted2000")
    content, truth = ensure(out, 2000, planted=True)
    store = open_store(f"sqlite://{out / 'kb.sqlite'}")
    sync_content(content, store)
    return Planted(content, truth, list(store.entries()))


def synced(root: Path, files: dict[str, str]) -> list[dict[str, Any]]:
    """Write a small content tree, sync it, return full records (with links)."""
    write(root / "content", files)
    store = open_store(f"sqlite://{root / 'kb.sqlite'}")
    sync_content(root / "content", store)
    return list(store.entries())


def note(title: str, body: str, **meta: Any) -> str:
    """A Markdown file with front matter."""
    lines = ["---", f"title: {title!r}"] + [f"{k}: {v}" for k, v in meta.items()] + ["---", "", body, ""]
    return "\n".join(lines)
