"""compose.yaml: mongo, one sync writer, API replicas, sharing the content checkout."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]

# The subset of the compose-spec shape we rely on (no schema is available offline).
SERVICE_KEYS = {"image", "build", "command", "restart", "environment", "volumes", "ports", "deploy",
                "depends_on", "healthcheck", "stop_signal", "stop_grace_period"}


def interpolate(value: str) -> str:
    """Compose's `${VAR:-default}` with nothing set in the environment."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_top_level_shape():
    assert set(COMPOSE) <= {"name", "services", "volumes", "networks", "configs", "secrets"} | {
        k for k in COMPOSE if k.startswith("x-")}
    assert {"mongo", "sync", "api"} <= set(SERVICES)


@pytest.mark.parametrize("name", ["mongo", "sync", "api"])
def test_service_keys_are_known_and_images_pinned(name):
    svc = SERVICES[name]
    assert set(svc) <= SERVICE_KEYS, set(svc) - SERVICE_KEYS
    assert "image" in svc or "build" in svc
    if "image" in svc:
        assert ":" in svc["image"] and not svc["image"].endswith(":latest")


def test_mongo_is_healthchecked_with_a_volume():
    mongo = SERVICES["mongo"]
    assert mongo["image"].startswith("mongo:7")
    assert mongo["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert any(str(v).endswith(":/data/db") for v in mongo["volumes"])
    assert "mongo-data" in COMPOSE["volumes"]


@pytest.mark.parametrize(("name", "command"), [
    ("sync", ["kb", "sync", "--watch"]),
    ("api", ["kb", "serve", "--host", "0.0.0.0", "--port", "8000"]),
])
def test_kb_services(name, command):
    svc = SERVICES[name]
    assert svc["command"] == command
    env = svc["environment"]
    assert env["KB_STORE_URL"] == "mongodb://mongo:27017"
    assert env["KB_CONTENT_DIR"] == "/data/content"
    assert svc["depends_on"]["mongo"]["condition"] == "service_healthy"
    mounts = svc["volumes"]
    assert any(m["target"] == "/data/content" and m.get("read_only") for m in mounts)


def test_sync_and_api_share_the_same_content_mount():
    assert SERVICES["sync"]["volumes"] == SERVICES["api"]["volumes"]


def test_single_writer_and_scalable_api():
    assert "deploy" not in SERVICES["sync"] or SERVICES["sync"]["deploy"].get("replicas", 1) == 1
    replicas = str(SERVICES["api"]["deploy"]["replicas"])
    assert re.fullmatch(r"\d+|\$\{KB_API_REPLICAS:-\d+\}", replicas)
    # a port range, so several replicas can publish without clashing
    published = [interpolate(str(p)).rsplit(":", 1)[0] for p in SERVICES["api"]["ports"]]
    assert any(re.fullmatch(r"\d+-\d+", p) for p in published), published


def test_api_healthcheck_hits_health_and_token_is_not_hardcoded():
    api = SERVICES["api"]
    assert "/api/health" in " ".join(api["healthcheck"]["test"])
    assert api["environment"]["KB_API_TOKEN"].startswith("${")


def test_sync_worker_gets_time_to_finish_its_batch():
    sync = SERVICES["sync"]
    assert sync["stop_signal"] == "SIGTERM"
    assert int(sync["stop_grace_period"].rstrip("s")) >= 10
