"""Site fixtures: each corpus is synced and built once per session, then its HTML is parsed by tests."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from kbsite import GEN, VAULT, Site, build


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """gen_corpus.py --entries 300, synced and built with every kb feature on."""
    base = tmp_path_factory.mktemp("site300")
    subprocess.run([sys.executable, str(GEN), str(base), "--entries", "300"], check=True, capture_output=True)
    site = build(base / "content", base / "site")
    site.truth = json.loads((base / "truth.json").read_text(encoding="utf-8"))
    return site


@pytest.fixture(scope="session")
def vault_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The real Obsidian vault (obsidian-tasks-docs), built read-only from the shared data dir."""
    if not VAULT.is_dir():
        pytest.fail(f"the shared vault is missing at {VAULT}: shared/ must sit beside the checkout")
    base = tmp_path_factory.mktemp("vault")
    return build(VAULT, base / "site")
