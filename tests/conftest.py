"""Shared fixtures: generated corpora (with ground truth), the real vault, stores."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kbsync.testing.corpus import ensure

ROOT = Path(__file__).resolve().parent.parent
VAULT = ROOT / "tests" / "fixtures" / "vaults" / "obsidian-tasks-docs"  # vendored, MIT (LICENSE beside it)


def make_corpus(out: Path, entries: int, bad: bool = False, seed: int = 7) -> tuple[Path, dict]:
    """`python -m kbsync.testing.corpus --out OUT --entries N [--bad]`, in process: content dir and truth."""
    return ensure(out, entries, seed=seed, bad=bad)


@pytest.fixture(scope="session")
def corpus2000(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A generated 2,000-entry corpus with malformed files: content dir and truth."""
    return make_corpus(tmp_path_factory.mktemp("corpus2000"), 2000, bad=True)


@pytest.fixture(scope="session")
def corpus300(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return make_corpus(tmp_path_factory.mktemp("corpus300"), 300, bad=True)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'kb.sqlite'}"


@contextmanager
def api_client(store: Any, token: str | None = None) -> Iterator[Any]:
    """An in-process API over `store` (FastAPI's TestClient), its read model loaded before the first request."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kbsync.settings import Settings

    app = create_app(Settings(api_token=token), store)
    with TestClient(app) as c:
        assert app.state.holder.wait_ready()
        yield c


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a small content tree: {relative path: text or bytes}."""
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")
    return root


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium (Debian's) for every browser test. Installable here and in CI, so its absence
    is a failure, not a skip: `.ci/run` installs it (`apt-get install chromium`)."""
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: apt-get install -y chromium (.ci/run does)")
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield b
        finally:
            b.close()
