"""A long-lived Syncer told only which paths changed (as the watcher does) stays equal to a full sync, whatever the
edits: slug twins, broken files, attachments, folders moved or deleted, git history moving."""
from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from kbsync.store import open_store
from kbsync.store.snapshot import snapshot
from kbsync.sync import Syncer, sync_content
from kbsync.watchsync import warm_resolver
from tests.conftest import write

NAMES = ["A.md", "B.md", "b.md", "C.md", "sub/C.md", "sub/D.md", "sub/deep/E.md", "doc/index.md", "doc/01 One.md",
         "doc/02 Two.md", "people/pat.md", "people/Pat.md", "notes/twin.md"]
ATTACHMENTS = ["sub/pic.png", "img.png", "doc/fig.png"]
TARGETS = ["A", "B", "C", "D", "E", "Alpha", "Gamma Alias", "pic.png", "img.png", "fig.png", "sub/C", "twin", "One"]
FOLDERS = ["sub", "doc", "people", "sub/deep"]


def text(rnd: random.Random) -> str | bytes:
    roll = rnd.random()
    if roll < 0.08:
        return b"\xff\xfe not utf-8 \x00"
    if roll < 0.14:
        return "---\ntitle: [unclosed\n---\nbroken front matter\n"
    fm = []
    if rnd.random() < 0.3:
        fm.append(f"title: {rnd.choice(['Alpha', 'Beta', 'Gamma Alias', 'One'])}")
    if rnd.random() < 0.2:
        fm.append(f"aliases: [{rnd.choice(['Gamma Alias', 'First', 'twin'])}]")
    if rnd.random() < 0.15:
        fm.append(f"type: {rnd.choice(['person', 'document', 'note'])}")
    if rnd.random() < 0.1:
        fm.append("slug: shared-slug")
    links = " ".join(f"[[{rnd.choice(TARGETS)}]]" for _ in range(rnd.randint(0, 4)))
    embed = f" ![[{rnd.choice(ATTACHMENTS).rsplit('/', 1)[-1]}]]" if rnd.random() < 0.2 else ""
    body = f"Body {rnd.randint(0, 10**6)} {links}{embed} @pat\n"
    return (f"---\n{chr(10).join(fm)}\n---\n" if fm else "") + body


def step(content: Path, rnd: random.Random) -> list[str]:
    """One random edit; returns the paths a watcher would name (old and new places)."""
    present = sorted(r for p in content.rglob("*") if p.is_file() and not (r := p.relative_to(content).as_posix()).startswith(".git/"))
    roll = rnd.random()
    if roll < 0.45 or not present:
        rel = rnd.choice(NAMES)
        write(content, {rel: text(rnd)})
        return [rel]
    if roll < 0.6:
        rel = rnd.choice(present)
        (content / rel).unlink()
        return [rel]
    if roll < 0.72:
        rel, new = rnd.choice(present), rnd.choice(NAMES + ATTACHMENTS)
        if rel == new:
            return [rel]
        (content / new).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).rename(content / new)
        return [rel, new]
    if roll < 0.8:
        rel = rnd.choice(ATTACHMENTS)
        write(content, {rel: bytes([rnd.randint(0, 255)]) * rnd.randint(1, 9)})
        return [rel]
    folder = rnd.choice(FOLDERS)
    if not (content / folder).is_dir():
        write(content, {f"{folder}/new {rnd.randint(0, 9)}.md": text(rnd)})
        return [folder]
    if roll < 0.9:
        shutil.rmtree(content / folder)
        return [folder]
    new = rnd.choice([f for f in FOLDERS if f != folder and not f.startswith(folder + "/")] + ["moved"])
    if (content / new).exists() or new.startswith(folder + "/"):
        return []
    (content / new).parent.mkdir(parents=True, exist_ok=True)
    (content / folder).rename(content / new)
    return [folder, new]


def git(content: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(content), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "a",
                        "GIT_COMMITTER_EMAIL": "a@x", "HOME": str(content.parent), "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize(("seed", "in_git", "warm"), [(1, False, False), (2, False, True), (3, True, True),
                                                     (4, False, False), (5, True, False)])
def test_a_syncer_told_only_the_changed_paths_equals_a_full_sync(tmp_path: Path, seed: int, in_git: bool,
                                                                  warm: bool) -> None:
    rnd = random.Random(seed)
    content = tmp_path / "content"
    content.mkdir()
    for _ in range(12):
        step(content, rnd)
    if in_git:
        git(content, "init", "-q")
        git(content, "add", "-A")
        git(content, "commit", "-q", "-m", "start")
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    syncer = Syncer(content, store)
    syncer.sync()
    if warm:  # as the watcher's start does: its tables then trust the walk that just ran
        warm_resolver(syncer)
    for i in range(40):
        named = step(content, rnd)
        if in_git and i % 7 == 3:  # history moves under the watcher: every file's git dates may change
            git(content, "add", "-A")
            git(content, "commit", "-q", "--allow-empty", "-m", f"step {i}")
        syncer.sync(paths=None if i % 9 == 8 else named)  # now and then a walk, as the watcher's start does
        ref = open_store(f"sqlite://{tmp_path / f'ref{i}.sqlite'}")
        sync_content(content, ref, full=True)
        assert snapshot(store) == snapshot(ref), f"seed {seed}, step {i}: named {named}"
