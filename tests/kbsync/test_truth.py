"""`kb export` on a 2,000-entry generated corpus matches its ground truth exactly."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def exported(corpus2000: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory):
    content, truth = corpus2000
    store = f"sqlite://{tmp_path_factory.mktemp('store') / 'kb.sqlite'}"
    env_args = ["--content", str(content), "--store", store]
    check = subprocess.run([sys.executable, "-m", "kbsync", "check", *env_args], capture_output=True, text=True)
    out = subprocess.run([sys.executable, "-m", "kbsync", "export", *env_args], capture_output=True, text=True,
                         check=True)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    return {r["path"]: r for r in rows}, truth, check


def test_every_good_file_is_synced(exported) -> None:
    by_path, truth, _ = exported
    assert set(truth["entries"]) <= set(by_path)
    good_bad = {p for p, kind in truth["bad"].items() if kind == "ok"}
    assert good_bad <= set(by_path)


@pytest.mark.parametrize("field", ["links", "broken", "mentions", "tags", "chapters", "title", "type", "aliases"])
def test_fields_match_truth(exported, field: str) -> None:
    by_path, truth, _ = exported
    slug_to_path = {r["slug"]: p for p, r in by_path.items()}
    mismatches = {}
    for path, want in truth["entries"].items():
        rec = by_path[path]
        if field == "links":
            got = sorted({slug_to_path[x["target"]] for x in rec["links"]
                          if x["kind"] in ("link", "embed") and x["target"] and not x.get("attachment")})
        elif field == "broken":
            got = sorted({x["raw"].strip("![]").split("|")[0].split("#")[0] for x in rec["links"] if x["target"] is None})
        elif field == "mentions":
            got = sorted({slug_to_path[x["target"]] for x in rec["links"] if x["kind"] == "mention" and x["target"]})
        elif field == "tags":
            got, want = sorted(rec["tags"]), {"tags": sorted(want["tags"])}
        elif field == "chapters":
            got = [slug_to_path[s] for s in rec["chapters"]]
        else:
            got = rec[field]
        expected = want[field]
        if got != expected:
            mismatches[path] = (got, expected)
    assert not mismatches, f"{len(mismatches)} entries differ, e.g. {list(mismatches.items())[:3]}"


def test_backlinks_match_truth(exported) -> None:
    by_path, truth, _ = exported
    slug_to_path = {r["slug"]: p for p, r in by_path.items()}
    for path in truth["entries"]:
        got = sorted({slug_to_path[b["source"]] for b in by_path[path]["backlinks"]
                      if b["kind"] in ("link", "embed", "mention")})
        assert got == truth["backlinks"].get(path, []), path


def test_visibility_matches_truth(exported) -> None:
    by_path, truth, _ = exported
    for path, want in truth["entries"].items():
        expect = "draft" if want["draft"] else "private" if want["private"] else "public"
        assert by_path[path]["visibility"] == expect, path


PROBLEM_WORDS = {  # truth's problem kind -> what the message must say
    "front_matter": "front matter", "encoding": "UTF-8|binary", "schema": "tags", "too_large": "limit",
    "duplicate_slug": "already taken", "symlink_loop": "symlink",
}


def test_every_bad_file_is_reported_with_its_problem(exported) -> None:
    _, truth, check = exported
    assert check.returncode == 1  # there are errors
    lines = check.stdout.splitlines()
    import re

    for path, kind in truth["bad"].items():
        if kind == "ok":
            assert not any(line.startswith(path + ":") and ": error: " in line and "broken link" not in line
                           for line in lines), path
            continue
        mine = [line for line in lines if line.startswith(path + ":")]
        assert mine, f"{path} ({kind}) not reported"
        assert any(re.search(PROBLEM_WORDS[kind], line) for line in mine), (path, mine)
        assert all(re.match(re.escape(path) + r":\d+: (error|warning): ", line) for line in mine)


def test_private_canaries_never_in_public_backlinks(exported) -> None:
    by_path, truth, _ = exported
    hidden = {r["slug"] for r in by_path.values() if r["visibility"] != "public"}
    for rec in by_path.values():
        assert not {b["source"] for b in rec["backlinks"]} & hidden, rec["path"]
    public_text = json.dumps([r for r in by_path.values() if r["visibility"] == "public"], ensure_ascii=False)
    leaked = [c for c in truth["private_canaries"] if c in public_text]
    assert not leaked
