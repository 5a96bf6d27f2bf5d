"""README's "## Deployment" section matches the files: the commands, variables, roles and ports it names."""
from __future__ import annotations

import json
import re
import shlex

import click
import pytest
import typer.main
import yaml
from local_services import ROOT, compose, image_cmd, instruction, interpolate, k8s_docs, services

from kbsync.cli import app
from kbsync.settings import Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("\n## Deployment\n"):]
SECTION = SECTION[:SECTION.find("\n## ", 5)] if "\n## " in SECTION[5:] else SECTION
COMPOSE_TEXT = (ROOT / "compose.yaml").read_text(encoding="utf-8")
DEPLOY_TEXT = COMPOSE_TEXT + "".join(p.read_text() for p in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")))
CI_TEXT = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]
BY_KIND_NAME = {(d["kind"], d["metadata"]["name"]): d for d in k8s_docs()}


def bullet(start: str) -> str:
    """The README bullet that starts with `start` (up to the next bullet or blank line)."""
    m = re.search(rf"^- {re.escape(start)}.*?(?=^- |^\n|\Z)", SECTION, re.M | re.S)
    assert m, f"no bullet starting {start!r} in README's Deployment section"
    return m.group(0)


def sh_lines() -> list[str]:
    return [ln.split("#")[0].strip() for block in re.findall(r"```sh\n(.*?)```", SECTION, re.S)
            for ln in block.splitlines() if ln.split("#")[0].strip()]


@pytest.mark.parametrize("name", sorted(set(re.findall(r"\bKB_[A-Z_]+\b", SECTION))))
def test_every_variable_named_exists(name):
    fields = {f"KB_{f.upper()}" for f in Settings.model_fields}
    assert name in fields or name in DEPLOY_TEXT or name in CI_TEXT, name


@pytest.mark.parametrize("name", sorted(set(re.findall(r"\$\{(KB_[A-Z_]+)", COMPOSE_TEXT))))
def test_every_compose_knob_is_named(name):
    assert f"`{name}" in SECTION or f"{name}=" in SECTION, name


def test_roles_table_lists_exactly_the_roles():
    documented = re.findall(r"^\| `(\w+)`(?: \(default\))? \| (?:yes|never) \|", SECTION, re.M)
    assert documented == list(Settings.model_fields["role"].annotation.__args__)
    assert f"| `{Settings().role}` (default) |" in SECTION


@pytest.mark.parametrize("svc", services("compose"), ids=lambda s: s.name)
def test_compose_services_roles_as_documented(svc):
    name = svc.name.split("/")[1]
    assert f"`{name}` has `KB_ROLE={svc.env['KB_ROLE']}`" in SECTION
    assert svc.command == image_cmd() and "run the image's `kb serve`" in SECTION


@pytest.mark.parametrize("svc", services("k8s"), ids=lambda s: s.name)
def test_k8s_deployments_as_documented(svc):
    name = svc.name.split("/")[1]
    text = bullet(f"`{name}`")
    assert f"`KB_ROLE={svc.env['KB_ROLE']}`" in text
    if svc.command != image_cmd():
        assert f"`{shlex.join(svc.command)}`" in text
    if svc.replicas > 1:
        assert f"{svc.replicas} replicas" in text
    else:
        assert "single-replica" in text
    for path in svc.probes:
        assert f"`{path}`" in text
    if "KB_CONTENT_DIR" in text:
        assert f"`KB_CONTENT_DIR={svc.env['KB_CONTENT_DIR']}`" in text


def test_ports_named_are_the_files_ports():
    published = interpolate(compose()["services"]["api"]["ports"][0]).rsplit(":", 1)
    assert f"ports {published[0]}" in SECTION and f"(default `{published[0]}`)" in SECTION
    assert f"container port {published[1]}" in SECTION
    svc = BY_KIND_NAME[("Service", "kb-api")]["spec"]["ports"][0]
    (c,) = BY_KIND_NAME[("Deployment", "kb-api")]["spec"]["template"]["spec"]["containers"]
    text = bullet("`kb-api`")
    assert f"Service on port {svc['port']} to container port {c['ports'][0]['containerPort']}" in text
    assert str(c["ports"][0]["containerPort"]) == published[1] == instruction("EXPOSE")[-1]


@pytest.mark.parametrize("line", sh_lines())
def test_shell_commands_match_the_files(line):
    words = shlex.split(line.replace("$(", "").replace(")", ""))
    words = [w for w in words if "=" not in w or w.startswith("-")]  # drop VAR=value prefixes
    if words[:2] == ["docker", "compose"]:
        assert (ROOT / "compose.yaml").is_file()
    elif words[:3] == ["kubectl", "apply", "-k"]:
        assert (ROOT / words[3] / "kustomization.yaml").is_file()
    elif words[:3] == ["kubectl", "create", "namespace"]:
        assert BY_KIND_NAME[("Namespace", words[3])]
    elif words[:2] == ["kubectl", "-n"]:
        namespace = yaml.safe_load((ROOT / "deploy" / "k8s" / "kustomization.yaml").read_text())["namespace"]
        assert words[2] == namespace and words[3:7] == ["create", "secret", "generic", "kb-secrets"]
        ref = BY_KIND_NAME[("Deployment", "kb-api")]["spec"]["template"]["spec"]["containers"][0]["env"]
        key = next(e["valueFrom"]["secretKeyRef"] for e in ref if "valueFrom" in e)
        assert key["name"] == "kb-secrets" and f"--from-literal={key['key']}=" in line
    else:
        raise AssertionError(f"README names a command the test does not check: {line}")


@pytest.mark.parametrize("cmd", sorted(set(re.findall(r"`(kb [a-z]+[^`]*)`", SECTION))))
def test_kb_commands_named_exist(cmd):
    words = shlex.split(cmd)
    command: click.Command = COMMANDS[words[1]]
    opts = {o for p in command.params for o in getattr(p, "opts", [])}
    assert {w for w in words if w.startswith("--")} <= opts, cmd


def test_cors_origins_are_json_lists_as_documented():
    assert "`KB_CORS_ORIGINS` (a JSON list here" in SECTION and "`KB_CORS_ORIGINS` as a JSON list" in SECTION
    compose_default = interpolate(compose()["services"]["api"]["environment"]["KB_CORS_ORIGINS"])
    config = BY_KIND_NAME[("ConfigMap", "kb-config")]["data"]["KB_CORS_ORIGINS"]
    assert isinstance(json.loads(compose_default), list) and isinstance(json.loads(config), list)


def test_pages_api_url_as_documented():
    pages = json.dumps(yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text()))  # no comments
    assert ("sets no `api_url`" in SECTION) == ("api_url" not in pages and "KB_API_URL" not in pages)
    said = " ".join(SECTION.split())  # a static site: the prebuilt typeahead, then Material's own full text
    assert "static typeahead (`typeahead.json`)" in said and "Material's built-in full-text search" in said


def test_deploy_readme_points_to_the_section_and_matches_the_files():
    """deploy/README-deploy.md (the Dockerfile names it) is short and agrees with the files it sums up."""
    text = (ROOT / "deploy" / "README-deploy.md").read_text(encoding="utf-8")
    assert "(../README.md#deployment)" in text and "\n## Deployment\n" in README
    by_name = {s.name: s for s in services("compose") + services("k8s")}
    assert f"readers (`api`, {by_name['compose/api'].replicas} by default)" in text
    assert f"`kb-api` ({by_name['k8s/kb-api'].replicas} readers)" in text
    assert f"`kb-sync` (the writer, `{shlex.join(by_name['k8s/kb-sync'].command)}`" in text
    assert "disables it for `sync`" in text and compose()["services"]["sync"]["healthcheck"]["disable"] is True
