"""The real vault (obsidian-tasks-docs, 118 notes written by people): counts pinned after checking by hand.

The one broken link is a Templater placeholder image in `_meta/templates/image embed.md` that does not exist
in the vault (also broken in Obsidian). Markdown image links such as `../../images/x.png` that climb above the
vault root resolve by path suffix and file name, and `[x](Filters)` (no extension) is a note link, as Obsidian
resolves them.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from tests.conftest import VAULT


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory):
    store = f"sqlite://{tmp_path_factory.mktemp('vault') / 'kb.sqlite'}"
    args = ["--content", str(VAULT), "--store", store]
    check = subprocess.run([sys.executable, "-m", "kbsync", "check", *args], capture_output=True, text=True)
    out = subprocess.run([sys.executable, "-m", "kbsync", "export", *args], capture_output=True, text=True, check=True)
    return check, {r["path"]: r for r in map(json.loads, out.stdout.splitlines())}


def test_check_runs_clean_of_crashes_and_reports_the_one_broken_link(vault) -> None:
    check, _ = vault
    assert check.returncode == 1 and "Traceback" not in check.stderr
    # Duplicate warnings from discovery (the vault's templated theme pages really are near-copies) aside:
    dups = [x for x in check.stdout.splitlines() if ": warning: possible duplicate of " in x]
    assert [x for x in check.stdout.splitlines() if x not in dups] == [
        "_meta/templates/image embed.md:4: error: attachment not found: ../images/insert-filename-here.png "
        "(![<%* tR += caption %>](../images/insert-filename-here.png))"]


def test_pinned_counts(vault) -> None:
    _, rows = vault
    kinds = Counter((link["kind"], "attachment" if link.get("attachment") else "broken" if link["target"] is None
                     else "entry") for r in rows.values() for link in r["links"])
    assert len(rows) == 118
    assert kinds == {("link", "entry"): 1110, ("embed", "entry"): 26, ("embed", "attachment"): 128,
                     ("embed", "broken"): 1}


def test_publish_false_is_never_published(vault) -> None:
    _, rows = vault
    assert sorted(p for p, r in rows.items() if r["visibility"] != "public") == ["README.md", "migration.md"]


@pytest.mark.parametrize("path, raw", [
    ("Getting Started/Links.md", "[[filename|optional alias]]"),  # inside inline code
    ("Getting Started/Obsidian Properties.md", "[[yaml_all_property_types_populated]]"),  # inside a fence
])
def test_example_links_in_code_are_not_links(vault, path: str, raw: str) -> None:
    _, rows = vault
    assert raw not in [link["raw"] for link in rows[path]["links"]]


def test_titles_come_from_file_names_and_headings(vault) -> None:
    _, rows = vault
    assert rows["Introduction.md"]["title"] == "Introduction"  # first H1
    assert rows["Queries/Filters.md"]["url"] == "/queries/filters/"
