"""Site fixtures: each corpus is synced and built once per session, then its HTML is parsed by tests."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kbsite import GEN, VAULT, Site, build

from kbsync.testing.corpus import ensure


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A generated 300-entry corpus, synced and built with every kb feature on."""
    base = tmp_path_factory.mktemp("site300")
    content, truth = ensure(base, 300)
    site = build(content, base / "site")
    site.truth = truth
    return site


@pytest.fixture(scope="session")
def vault_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The real Obsidian vault (obsidian-tasks-docs, vendored under tests/fixtures/vaults/), built read-only."""
    base = tmp_path_factory.mktemp("vault")
    return build(VAULT, base / "site")


@pytest.fixture(scope="session")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., tuple[Path, Path, str]]:
    """Makes a generated corpus (`entries`, `seed`), synced and built incrementally in this process (edit tests
    follow it up): (content, site, store URL)."""
    from site_plugins.config import build_site

    def make(name: str, entries: int, seed: int, **options: Any) -> tuple[Path, Path, str]:
        base = tmp_path_factory.mktemp(name)
        subprocess.run([sys.executable, str(GEN), str(base), "--entries", str(entries), "--seed", str(seed)],
                       check=True, capture_output=True)
        store = f"sqlite:///{base / 'kb.sqlite'}"
        build_site(base / "content", base / "site", store_url=store, incremental=True, **options)
        return base / "content", base / "site", store
    return make
