"""The sample content stays a working example of every feature (it is what `make run` shows a new user)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    url = f"sqlite://{tmp_path_factory.mktemp('sample') / 'kb.sqlite'}"
    args = ["--content", str(ROOT / "content"), "--store", url]
    env = {**os.environ, "COLUMNS": "200"}
    check = subprocess.run([sys.executable, "-m", "kbsync", "check", *args], capture_output=True, text=True, env=env)
    out = subprocess.run([sys.executable, "-m", "kbsync", "export", *args], capture_output=True, text=True, check=True)
    return check, {r["slug"]: r for r in map(json.loads, out.stdout.splitlines())}


def test_check_reports_only_the_intentional_problems(sample) -> None:
    check, _ = sample
    assert check.stdout.splitlines() == [
        "Start Here.md:43: error: broken link [[Someday Maybe]]: no entry or attachment matches",
        "notes/en/Ideas.md:8: warning: ambiguous link [[Ideas]]: chose notes/en/ideas (closest), also matches notes/fr/Ideas.md",
        "notes/fr/Ideas.md:7: warning: ambiguous link [[Ideas]]: chose notes/fr/ideas (closest), also matches notes/en/Ideas.md",
    ]


def test_every_feature_is_shown(sample) -> None:
    _, rows = sample
    start = rows["start-here"]
    raws = {link["raw"] for link in start["links"]}
    for form in ("[[Training Log]]", "[[Training Log|my log]]", "[[Training Log#Weekly plan]]", "[[#Typed entries]]",
                 "[[Back Squat]]", "[[notes/en/Ideas]]", "![[Training Log#Weekly plan]]", "![[rack.svg]]"):
        assert form in raws, form
    assert {r["visibility"] for r in rows.values()} == {"public", "draft", "private"}
    assert rows["guides/home-gym-handbook/index"]["chapters"] == [
        "guides/home-gym-handbook/01-space", "guides/home-gym-handbook/02-equipment",
        "guides/home-gym-handbook/03-programming"]
    assert {"source": "exercises/deadlift", "kind": "related", "context": None} in rows["exercises/squat"]["backlinks"]
    assert {"source": "notes/zh/训练日记", "line": 7} in rows["notes/zh/深蹲"]["unlinked"]  # CJK: no word boundaries
    assert {b["source"] for b in rows["people/ada"]["backlinks"] if b["kind"] == "mention"} >= {"start-here"}
    assert not any(b["source"] in ("notes/draft-plan", "notes/private-journal")
                   for r in rows.values() for b in r["backlinks"])
    typed = [r for r in rows.values() if r["type"] in ("exercise", "item", "person")]
    assert len(typed) >= 8 and all(not r["problems"] for r in typed)  # valid against content/.kb/types.yaml
