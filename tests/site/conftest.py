"""Site fixtures: each corpus is synced and built once per session, then its HTML is parsed by tests."""
from __future__ import annotations

import pytest
from kbsite import VAULT, Site, build

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
