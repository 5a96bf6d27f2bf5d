"""`kb check` warns about possible duplicates; `kb check --suggest-links` lists unlinked mentions as path:line."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import write

from .conftest import note

BODY = " ".join(f"word{i} filler{i % 7}" for i in range(80))


def kb(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "kbsync", *args], capture_output=True, text=True, env=env)


@pytest.fixture
def content(tmp_path):
    return write(tmp_path / "content", {
        "exercises/Deadlift.md": note("Deadlift", "# Deadlift\n\n" + BODY),
        "notes/Deadlifts.md": note("Deadlifts", BODY.replace("word3 ", "other3 ")),
        "notes/Log.md": note("Log", "Pulled a deadlift.\n\n[[Deadlift]] again.\n\n`Deadlift` in code."),
        "notes/Kept.md": note("Dead lift", BODY, not_duplicate_of='["[[Deadlift]]", "[[Deadlifts]]"]'),
    })


@pytest.mark.parametrize("flags, want", [
    ([], ["exercises/Deadlift.md:2: warning: possible duplicate of notes/Deadlifts.md (title 94%, body 0.95)",
          "notes/Deadlifts.md:2: warning: possible duplicate of exercises/Deadlift.md (title 94%, body 0.95)"]),
    (["--suggest-links"],
     ["exercises/Deadlift.md:2: warning: possible duplicate of notes/Deadlifts.md (title 94%, body 0.95)",
      "notes/Deadlifts.md:2: warning: possible duplicate of exercises/Deadlift.md (title 94%, body 0.95)",
      "notes/Log.md:5: unlinked mention of Deadlift (exercises/Deadlift.md)"]),
])
def test_check_output(tmp_path, content, flags: list[str], want: list[str]) -> None:
    r = kb("check", "--content", str(content), "--store", f"sqlite://{tmp_path / 'kb.sqlite'}", *flags)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [x.split("(")[0] for x in lines] == [x.split("(")[0] for x in want]
    for got in lines:  # the body score is an estimate: check its shape and range
        if "body" in got:
            assert 0.8 <= float(got.rsplit("body ", 1)[1].rstrip(")")) <= 1.0
            assert "(title 94%, body " in got


@pytest.mark.parametrize("on, revision, has_keywords", [("true", 2, True), ("false", 1, False)])
def test_kb_sync_fills_keywords_in_a_second_commit(tmp_path, content, on: str, revision: int, has_keywords: bool) -> None:
    import json

    env = {**os.environ, "KB_KEYWORDS": on}
    args = ["--content", str(content), "--store", f"sqlite://{tmp_path / 'kb.sqlite'}"]
    r = subprocess.run([sys.executable, "-m", "kbsync", "sync", "--json", *args], capture_output=True, text=True, env=env)
    assert json.loads(r.stdout)["revision"] == revision, r.stderr  # entries first, keywords after
    out = subprocess.run([sys.executable, "-m", "kbsync", "export", *args], capture_output=True, text=True, env=env)
    rows = {x["slug"]: x for x in map(json.loads, out.stdout.splitlines())}
    assert bool(rows["exercises/deadlift"]["keywords"]) is has_keywords
