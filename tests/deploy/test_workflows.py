"""GitHub workflows: CI lints and tests against a real MongoDB; Pages builds and deploys the site."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

WF = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    doc = yaml.safe_load((WF / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def steps(job: dict) -> list[dict]:
    return job["steps"]


def runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in steps(job))


def uses(job: dict) -> list[str]:
    return [s["uses"] for s in steps(job) if "uses" in s]


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml"])
def test_workflow_shape(name):
    wf = load(name)
    assert wf["name"] and wf["on"] and wf["jobs"]
    for job_id, job in wf["jobs"].items():
        assert "runs-on" in job, job_id
        assert job["steps"], job_id
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert "@" in step["uses"], step["uses"]  # actions are pinned


def test_ci_lints_with_ruff():
    ci = load("ci.yml")
    assert "ruff check" in runs(ci["jobs"]["lint"])


def test_ci_tests_against_a_real_mongo_service():
    test = load("ci.yml")["jobs"]["test"]
    assert test["services"]["mongo"]["image"].startswith("mongo:7")
    assert "--health-cmd" in test["services"]["mongo"]["options"]
    uri = test["env"]["KB_TEST_MONGODB_URI"]
    # in a container job the service host is its name; on a bare runner it would be localhost
    assert uri == ("mongodb://mongo:27017" if "container" in test else "mongodb://localhost:27017")


def test_ci_installs_debian_chromium_then_runs_make_test():
    test = load("ci.yml")["jobs"]["test"]
    assert "bookworm" in test["container"]  # Debian, so the chromium package is the real browser
    script = runs(test)
    assert "apt-get install" in script and "chromium" in script
    assert script.index("chromium") < script.index("make test")
    assert any(u.startswith("actions/checkout@") for u in uses(test))


def test_ci_checks_out_full_history_for_git_dates():
    test = load("ci.yml")["jobs"]["test"]
    checkout = next(s for s in steps(test) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0


def test_pages_builds_and_deploys_on_push_to_main():
    wf = load("pages.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert any(u.startswith("actions/setup-python@") for u in uses(build))
    script = runs(build)
    assert "pip install ." in script and "kb build --out site" in script
    upload = next(s for s in steps(build) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert any(u.startswith("actions/deploy-pages@") for u in uses(deploy))
    assert deploy["environment"]["name"] == "github-pages"
