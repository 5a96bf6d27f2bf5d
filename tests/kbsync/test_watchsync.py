"""The watcher's sync makes its link resolver when it checks every file (its start), so the first edit does not
build it on the edited page's path; the edits after it resolve links as a fresh full sync does."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.store import open_store
from kbsync.sync import sync_content
from kbsync.watchsync import default_sync

FILES = {
    "a.md": "# Alpha\n\nSee [[Beta]] and ![[pic.png]].\n",
    "sub/Beta.md": "---\naliases: [Bee]\n---\n# Beta\n\nBack to [[a]].\n",
    "c.md": "# Gamma\n\nNothing yet.\n",
    "pic.png": "png",
}
# (edit, the file written, its new text): each touches what the resolver answers
EDITS = [
    ("link by alias", "c.md", "# Gamma\n\nNow [[Bee]].\n"),
    ("link to a new title", "c.md", "# Gamma\n\n[[Delta]]\n"),
    ("retitled target", "sub/Beta.md", "---\ntitle: Delta\n---\nBody.\n"),
    ("new entry found by a stem", "Delta.md", "# Delta\n\nHi.\n"),
    ("new attachment linked", "c.md", "# Gamma\n\n![[pic.png]] [[a]]\n"),
]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _links(url: str) -> dict[str, object]:
    store = open_store(url)
    try:
        return {r["slug"]: (r.get("links"), r.get("backlinks")) for r in store.records()}
    finally:
        store.close()


@pytest.mark.parametrize(("rel", "text"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_edits_after_the_warm_start_resolve_as_a_full_sync(tmp_path: Path, rel: str, text: str) -> None:
    content = tmp_path / "content"
    _write(content, FILES)
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    store = open_store(url)
    run = default_sync(content)
    try:
        sync_content(content, store)  # synced before (a build, or the last run of `kb serve`)
        run(store, None)  # the watcher's start: a check of every file, nothing to read
        syncer = next(iter(run.syncers.values()))  # type: ignore[attr-defined]
        assert syncer._known.resolver is not None, "the first edit would build it"
        assert syncer._known.tables is not None, "the first edit would stat-table every file"
        _write(content, {rel: text})
        run(store, [rel])
    finally:
        store.close()
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    s = open_store(fresh)
    try:
        sync_content(content, s, full=True)
    finally:
        s.close()
    assert _links(url) == _links(fresh)
