"""Deployment files validate offline: k8s manifests against the Kubernetes schemas (kubernetes-validate ships
them), compose.yaml against the compose specification and the workflows against GitHub's workflow schema
(both vendored, with their licences, by check-jsonschema: `check_jsonschema/builtin_schemas/vendor/`)."""
from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import kubernetes_validate
import pytest
import yaml
from local_services import ROOT, compose, k8s_docs

K8S_VERSION = "1.30.0"  # the oldest Kubernetes these manifests promise to work on
VENDOR = files("check_jsonschema.builtin_schemas.vendor")
LICENCE = {"compose-spec.json": "LICENSE.compose-spec", "github-workflows.json": "LICENSE.schemastore"}


def vendored(name: str) -> dict:
    """A schema check-jsonschema vendors (Apache-2.0 compose-spec, SchemaStore's), its licence beside it."""
    assert (VENDOR / "licenses" / LICENCE[name]).is_file()
    return json.loads((VENDOR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", k8s_docs(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_k8s_manifest_validates_strictly(doc):
    # strict: unknown fields (a typo such as `readinessprobe`) fail too
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@pytest.mark.parametrize("mutate", [
    lambda d: d["spec"]["template"]["spec"]["containers"][0].update(readinessprobe={}),
    lambda d: d["spec"].update(replicas="three"),
    lambda d: d["spec"]["template"]["spec"]["containers"][0].pop("name"),
], ids=["unknown-field", "wrong-type", "missing-required"])
def test_the_k8s_check_catches_a_broken_manifest(mutate):
    doc = next(d for d in k8s_docs() if d["kind"] == "Deployment")
    mutate(doc)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_compose_file_matches_the_compose_specification():
    jsonschema.validate(compose(), vendored("compose-spec.json"))


@pytest.mark.parametrize("mutate", [
    lambda c: c["services"]["api"].update(replica=2),
    lambda c: c["services"]["api"].update(ports="8000"),
], ids=["unknown-key", "wrong-type"])
def test_the_compose_check_catches_a_broken_file(mutate):
    doc = compose()
    mutate(doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, vendored("compose-spec.json"))


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / ".github" / "workflows").glob("*.yml")))
def test_workflow_matches_githubs_schema(name):
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    jsonschema.validate(doc, vendored("github-workflows.json"))
