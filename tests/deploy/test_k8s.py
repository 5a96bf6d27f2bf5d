"""deploy/k8s: manifests have the fields a cluster requires and the probes/security we promise."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def load_all(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]

K8S = ROOT / "deploy" / "k8s"
KUSTOMIZATION = yaml.safe_load((K8S / "kustomization.yaml").read_text())
DOCS = [doc for name in KUSTOMIZATION["resources"] for doc in load_all(K8S / name)]
BY_KIND_NAME = {(d["kind"], d["metadata"]["name"]): d for d in DOCS}
DEPLOYMENTS = [d for d in DOCS if d["kind"] == "Deployment"]


def containers(deploy: dict, init: bool = False) -> list[dict]:
    pod = deploy["spec"]["template"]["spec"]
    return pod["containers"] + (pod.get("initContainers", []) if init else [])


def test_every_yaml_is_listed_in_the_kustomization():
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert files == set(KUSTOMIZATION["resources"])


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_required_top_level_fields(doc):
    assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"]
    if doc["kind"] not in ("ConfigMap", "Secret", "Namespace"):
        assert "spec" in doc


@pytest.mark.parametrize("deploy", DEPLOYMENTS, ids=lambda d: d["metadata"]["name"])
def test_deployments_select_their_pods_and_run_non_root(deploy):
    spec = deploy["spec"]
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    for c in containers(deploy, init=True):
        assert c["resources"]["requests"] and c["resources"]["limits"], c["name"]
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert ":" in c["image"] or c["image"] == "kb"  # `kb` is pinned by the kustomization
        assert not c["image"].endswith(":latest")


def test_api_probes_and_service():
    api = BY_KIND_NAME[("Deployment", "kb-api")]
    (c,) = containers(api)
    assert c["livenessProbe"]["httpGet"]["path"] == "/api/health"
    assert c["readinessProbe"]["httpGet"]["path"] == "/api/ready"
    assert c["command"][:2] == ["kb", "serve"]
    assert api["spec"]["replicas"] >= 2
    svc = BY_KIND_NAME[("Service", "kb-api")]
    assert svc["spec"]["selector"] == api["spec"]["selector"]["matchLabels"]
    port_names = {p["name"] for p in c["ports"]}
    assert all(p["targetPort"] in port_names for p in svc["spec"]["ports"])


def test_api_token_comes_from_a_secret_and_settings_from_the_configmap():
    (c,) = containers(BY_KIND_NAME[("Deployment", "kb-api")])
    token = {e["name"]: e for e in c["env"]}["KB_API_TOKEN"]
    assert token["valueFrom"]["secretKeyRef"]["name"] == "kb-secrets"
    assert {"configMapRef": {"name": "kb-config"}} in c["envFrom"]
    config = BY_KIND_NAME[("ConfigMap", "kb-config")]["data"]
    assert config["KB_STORE_URL"].startswith("mongodb://")
    assert "KB_API_TOKEN" not in config


def test_sync_worker_is_a_single_writer():
    sync = BY_KIND_NAME[("Deployment", "kb-sync")]
    assert sync["spec"]["replicas"] == 1
    assert sync["spec"]["strategy"]["type"] == "Recreate"
    kb = next(c for c in containers(sync) if c["name"] == "sync")
    assert kb["command"] == ["kb", "sync", "--watch"]
    # the checkout exists before kb starts, and the watched path is the one git-sync keeps current
    init = sync["spec"]["template"]["spec"]["initContainers"]
    assert any("--one-time" in c["args"] for c in init)
    env = {e["name"]: e.get("value") for e in kb["env"]}
    assert env["KB_ROLE"] == "writer" and env["KB_CONTENT_DIR"].startswith("/git/current/")
    mounts = {m["mountPath"] for m in kb["volumeMounts"]}
    assert "/git" in mounts


def test_api_pods_are_readers_without_content():
    """Regression: the shared ConfigMap pointed every pod at /git/current/content, which only kb-sync mounts."""
    (c,) = containers(BY_KIND_NAME[("Deployment", "kb-api")])
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["KB_ROLE"] == "reader"
    config = BY_KIND_NAME[("ConfigMap", "kb-config")]["data"]
    assert "KB_CONTENT_DIR" not in config and "KB_ROLE" not in config  # per Deployment, not shared
    assert all(not m["mountPath"].startswith("/git") for m in c.get("volumeMounts", []))


def test_kustomization_pins_the_image():
    (image,) = KUSTOMIZATION["images"]
    assert image["name"] == "kb" and image["newTag"] not in ("", "latest")
