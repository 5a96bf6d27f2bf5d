"""`Discovery.update` after one edit, addition, deletion or hiding gives what a fresh `build` gives."""
from __future__ import annotations

import random

import pytest

from kbsync.discovery.enrich import Discovery
from kbsync.store import open_store
from kbsync.sync import sync_content
from tests.conftest import write

from .conftest import note

SUBJECTS = {"lift": "barbell squats deadlift plates spotter chalk rack", "bake": "sourdough starter flour ovens crumb",
            "grow": "tomatoes compost seedlings mulch trellis"}
KEYS = ("duplicates", "related", "unlinked", "keywords")


def corpus() -> dict[str, str]:
    """30 notes on three subjects with filler, links between neighbours, a duplicate pair and plain mentions."""
    r = random.Random(5)
    filler = [f"filler{i}" for i in range(300)]
    files = {}
    for k in range(30):
        subject = list(SUBJECTS)[k % 3]
        words = SUBJECTS[subject].split()
        body = " ".join(r.sample(words, 3) * 2 + [r.choice(filler) for _ in range(40)])
        link = f" See [[Note {(k + 3) % 30}]]." if k % 4 else ""
        mention = " Compare with Note 7 today." if k % 5 == 0 and k != 7 else ""
        files[f"n{k}.md"] = note(f"Note {k}", body + link + mention)
    files["copy.md"] = note("Notes 1", files["n1.md"].split("---")[2].strip())  # a near-copy of Note 1
    return files


def apply(case: str, content, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """Make the change on disk; (changed slugs, deleted slugs) as a watcher would report them."""
    if case == "edit":  # new words, a new link, a mention of another note's title
        write(content, {"n4.md": note("Note 4", "sourdough crumb ovens flour [[Note 11]] and Note 2. " * 3)})
        return ["n4"], []
    if case == "add":
        write(content, {"n30.md": note("Note 30", files["n2.md"].split("---")[2].strip() + " Like Note 9.")})
        return ["n30"], []
    if case == "delete":
        (content / "n7.md").unlink()
        return [], ["n7"]
    if case == "hide":
        write(content, {"n1.md": files["n1.md"].replace("title: 'Note 1'", "title: 'Note 1'\ndraft: true")})
        return ["n1"], []
    if case == "rename":  # a new title: mentions of the old name go, of the new one come
        write(content, {"n7.md": files["n7.md"].replace("title: 'Note 7'", "title: 'Compost'")})
        return ["n7"], []
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["edit", "add", "delete", "hide", "rename"])
def test_update_equals_a_fresh_build(tmp_path, case: str) -> None:
    files = corpus()
    content = write(tmp_path / "content", files)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    d = Discovery(content).build(store.entries(), keywords={})
    before = d.fields()
    changed, deleted = apply(case, content, files)
    sync_content(content, store)
    d.update([r for r in (store.get(s) for s in changed) if r is not None], deleted)
    fresh = Discovery(content).build(store.entries(), keywords={})
    got, want = d.fields(), fresh.fields()
    assert sorted(got) == sorted(want)
    for slug in want:
        for key in KEYS:
            assert got[slug][key] == want[slug][key], (slug, key)
    assert any(before.get(s, {}).get(k) != want[s][k] for s in want for k in KEYS)  # the change moved something
