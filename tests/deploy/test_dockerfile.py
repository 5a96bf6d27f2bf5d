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


# -- the image runs what the local deployment test runs (tests/deploy/test_roles_local.py) ------------------

def kb_services():
    from local_services import services

    return services("compose") + services("k8s")


def test_every_kb_service_runs_the_image_cmd_or_kb_sync_watch():
    from local_services import image_cmd

    cmds = {s.name: s.command for s in kb_services()}
    assert image_cmd() == ["kb", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert all(c in (image_cmd(), ["kb", "sync", "--watch"]) for c in cmds.values()), cmds
    assert cmds["compose/sync"] == cmds["compose/api"] == cmds["k8s/kb-api"] == image_cmd()  # KB_ROLE differs


def test_kb_is_the_console_script_the_image_installs():
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["kb"] == "kbsync.cli:main"
    assert "pip install --no-cache-dir ." in TEXT and "ENV PATH=/opt/venv/bin:$PATH" in TEXT


def test_the_local_test_uses_the_images_env_healthcheck_and_folders():
    from local_services import image_dirs, image_env, image_healthcheck, image_workdir, services

    env = image_env()
    assert env["KB_CONTENT_DIR"] == "/data/content" and env["KB_PORT"] == "8000"
    (api,) = [s for s in services("compose") if s.name == "compose/api"]
    assert api.healthcheck == image_healthcheck()  # compose's check is the image's, and the test runs both
    assert image_workdir() == "/data"
    # named volumes mounted under /data start as the image's (kb-owned) folder, so the writer can fill them
    assert "chown -R kb:kb /data" in TEXT
    for svc in services("compose"):
        for target, volume in svc.mounts.items():
            if volume != "content" and target.startswith("/data/"):
                assert target in image_dirs(), (svc.name, target)


@pytest.mark.parametrize("path", re.findall(r"(?:deploy|tests|kbsync)/[\w./-]+\w", TEXT))
def test_paths_the_dockerfile_names_exist(path):
    """Regression: it pointed to deploy/README-deploy.md, which did not exist."""
    assert (ROOT / path).exists(), path
