"""compose.yaml: mongo, one writer with the content checkout, reader replicas sharing the site it builds."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]

# The keys this file relies on (test_schemas.py validates it against the compose specification).
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


@pytest.mark.parametrize(("name", "role"), [("sync", "writer"), ("api", "reader")])
def test_kb_services_run_the_image_cmd_and_name_their_role(name, role):
    svc = SERVICES[name]
    assert svc["command"] == ["kb", "serve", "--host", "0.0.0.0", "--port", "8000"]
    env = svc["environment"]
    assert env["KB_ROLE"] == role
    assert env["KB_STORE_URL"] == "mongodb://mongo:27017"
    assert env["KB_SITE_DIR"] == "/data/site"
    assert "KB_SERVE_WATCH" not in env  # deprecated: KB_ROLE says it
    assert svc["depends_on"]["mongo"]["condition"] == "service_healthy"


def test_only_the_writer_has_the_content_and_readers_share_its_site():
    sync, api = SERVICES["sync"], SERVICES["api"]
    assert sync["environment"]["KB_CONTENT_DIR"] == "/data/content"
    assert any(m["type"] == "bind" and m["target"] == "/data/content" and m.get("read_only") for m in sync["volumes"])
    assert "KB_CONTENT_DIR" not in api["environment"]
    assert all(m["target"] != "/data/content" for m in api["volumes"])
    site = [m for m in api["volumes"] if m["target"] == "/data/site"]
    assert site and site[0]["read_only"] and site[0]["source"] in COMPOSE["volumes"]
    assert any(m["source"] == site[0]["source"] and not m.get("read_only") for m in sync["volumes"])


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
