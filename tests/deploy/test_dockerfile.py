"""The Dockerfile builds a small, non-root image whose health check hits /api/health."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

TEXT = (ROOT / "Dockerfile").read_text(encoding="utf-8")
# join continuation lines, drop comments
LINES = [ln.strip() for ln in re.sub(r"\\\n\s*", " ", TEXT).splitlines() if ln.strip() and not ln.strip().startswith("#")]


def instructions(name: str) -> list[str]:
    return [ln.split(None, 1)[1] for ln in LINES if ln.split(None, 1)[0].upper() == name]


def test_base_images_are_pinned_slim_python():
    bases = [f.split()[0] for f in instructions("FROM")]
    assert bases, "no FROM"
    for base in bases:
        assert ":" in base and not base.endswith(":latest"), base
        assert base.startswith("python:3.11-slim"), base


def test_multi_stage_and_no_pip_cache():
    assert len(instructions("FROM")) >= 2
    assert "--no-cache-dir" in TEXT
    assert any("COPY --from=build" in ln for ln in LINES)


def test_runs_as_non_root():
    users = instructions("USER")
    assert users, "no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_healthcheck_hits_api_health():
    checks = instructions("HEALTHCHECK")
    assert checks and "/api/health" in checks[-1]


def test_cmd_serves_on_all_interfaces_port_8000():
    cmd = json.loads(instructions("CMD")[-1])
    assert cmd == ["kb", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert "8000" in instructions("EXPOSE")[-1]


@pytest.mark.parametrize("needed", ["pyproject.toml", "README.md", "kbsync", "site_plugins", "api"])
def test_build_context_keeps_what_the_image_copies(needed):
    ignored = {ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()
               if ln.strip() and not ln.startswith("#")}
    assert needed not in ignored
    assert any(needed in copy.split()[:-1] for copy in instructions("COPY"))


@pytest.mark.parametrize("heavy", [".git", ".venv", "tests", "bench", "content", ".kb", "site"])
def test_build_context_excludes(heavy):
    ignored = {ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()}
    assert heavy in ignored
