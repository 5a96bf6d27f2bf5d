"""Randomized: after any mix of edits, the site `kb serve` keeps (edited page first, then the affected pages
without a build, or the incremental build when pages appear or go) equals a fresh full build, page for page."""
from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kbsite import GEN

import site_plugins.followup as followup
from kbsync.store import open_store
from kbsync.sync import sync_content
from site_plugins.config import build_site
from site_plugins.fastpage import publish_first
from site_plugins.followup import follow_up
from site_plugins.followup_discovery import settle_discovery
from site_plugins.followup_warm import prepare
from site_plugins.graph_local import LocalGraphs
from site_plugins.graph_site import settle

# Pages that embed the build time or an order-free listing are compared after normalising these.
VOLATILE = re.compile(r'<meta name="generator"[^>]*>|\b\d{4}-\d{2}-\d{2}T[\d:.+-]+\b')


def _pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): VOLATILE.sub("", p.read_text(encoding="utf-8"))
            for p in site.rglob("*") if p.suffix in (".html", ".json") and p.name != "search_index.json"}


def _front(text: str, key: str, value: str) -> str:
    """Set a front-matter key (the corpus files all open with `---`)."""
    head, sep, body = text.partition("\n---\n")
    lines = [ln for ln in head.split("\n") if not ln.startswith(f"{key}:")]
    return "\n".join([*lines, f"{key}: {value}"]) + sep + body


# One kind per round: a round that adds or removes a page changes the nav, which re-renders every page and
# would hide a stale render key; rounds that only edit must show that the keys alone are right.
ROUNDS = ["append_link", "retitle", "alias", "tag", "body", "link", "unlink", "append_link", "hide", "show",
          "retitle", "new", "rename", "delete", "append_link", "body", "link", "unlink", "hide", "show"]
# Edits that must not take a build (edits of a document's chapter may: its title is in the nav); tag pages, and
# entry pages added, deleted or renamed, come and go without one
LOCAL = ("body", "link", "unlink", "retitle", "alias", "tag", "hide", "show", "new", "delete", "rename")


def _mutate(content: Path, rng: random.Random, round_: int, kind: str) -> list[str]:
    files = sorted(content.rglob("*.md"))
    if kind == "show":  # hidden entries made public again
        files = [p for p in files if re.search(r"(?m)^(draft|private): true$", p.read_text(encoding="utf-8"))]
    done = []
    for _ in range(2):
        victim = rng.choice(files)
        if not victim.exists():
            continue
        other = rng.choice(files)
        text = victim.read_text(encoding="utf-8")
        if kind == "append_link":
            victim.write_text(text + f"\nRound {round_} links [[{other.stem}]] and #r{round_}.\n", encoding="utf-8")
        elif kind == "body":
            victim.write_text(text + f"\n## Round {round_}\n\nA paragraph about {other.stem}.\n", encoding="utf-8")
        elif kind == "link":
            victim.write_text(text + f"\nRound {round_} links [[{other.stem}]] and ![[{other.stem}]].\n",
                              encoding="utf-8")
        elif kind == "unlink":
            victim.write_text(re.sub(r"!?\[\[[^\]\n]+\]\]", "unlinked", text, count=2), encoding="utf-8")
        elif kind == "retitle":
            victim.write_text(_front(text, "title", f'"Retitled {round_} {victim.stem}"'), encoding="utf-8")
        elif kind == "alias":
            victim.write_text(_front(text, "aliases", f'["Alias {round_} {victim.stem}"]'), encoding="utf-8")
        elif kind == "tag":
            victim.write_text(_front(text, "tags", f"[moved-{round_}, nested/t{round_}]"), encoding="utf-8")
        elif kind == "show":
            victim.write_text(re.sub(r"(?m)^(draft|private): true\n", "", text), encoding="utf-8")
        elif kind == "hide":
            victim.write_text(_front(text, rng.choice(["draft", "private"]), "true"), encoding="utf-8")
        elif kind == "rename":
            target = victim.with_name(f"Renamed {round_} {victim.name}")
            victim.rename(target)
        elif kind == "delete":
            victim.unlink()
        elif kind == "new":
            (victim.parent / f"New {round_}.md").write_text(
                f"---\ntitle: New {round_}\n---\n\nPoints at [[{other.stem}]] and [[Retitled {round_} {other.stem}]].\n",
                encoding="utf-8")
        done.append(f"{kind}:{victim.relative_to(content)}")
    return done


def _fresh_build(content: Path, out: Path, store: str) -> None:
    """The reference: a full build in a new process (this one's plugin instance keeps caches between builds)."""
    code = ("import sys; from site_plugins.config import build_site; "
            "build_site(sys.argv[1], sys.argv[2], store_url=sys.argv[3], sync=False)")
    subprocess.run([sys.executable, "-c", code, str(content), str(out), store], check=True, capture_output=True)


# `make test` runs the reduced form (each kind of edit once, a small corpus); `.ci/run` adds the full forms
# (`pytest -m slow`).
ONE_EACH = list(dict.fromkeys(ROUNDS))


# beside: every edit's local graph files made in a process beside its page renders (at 40 entries no edit
# re-renders followup.GRAPH_BESIDE_FROM pages; a much-linked entry hidden at 10,000 does)
@pytest.mark.parametrize(("entries", "rounds", "beside"), [
    pytest.param(40, ONE_EACH, False, id="reduced"),
    pytest.param(40, ONE_EACH, True, id="reduced-graph-beside"),
    pytest.param(80, ROUNDS, False, id="full-80", marks=pytest.mark.slow),
    pytest.param(1000, ROUNDS, False, id="full-1000", marks=pytest.mark.slow),
])
def test_incremental_rebuilds_equal_full_builds_after_random_edits(tmp_path: Path, monkeypatch, entries: int,
                                                                   rounds: list[str], beside: bool) -> None:
    monkeypatch.setattr(followup, "GRAPH_BESIDE_FROM", 0 if beside else 10**9)
    adopted = []  # edits whose local graph files the process beside made (not a fallback to making them here)
    adopt = LocalGraphs.adopt
    monkeypatch.setattr(LocalGraphs, "adopt", lambda self, *a: adopted.append(1) or adopt(self, *a))
    subprocess.run([sys.executable, str(GEN), str(tmp_path), "--entries", str(entries), "--seed", "11"], check=True,
                   capture_output=True)
    content = tmp_path / "content"
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    incremental, full = tmp_path / "site-incremental", tmp_path / "site-full"
    build_site(content, incremental, store_url=store, incremental=True)
    prepare(str(incremental))  # as kb serve's site worker, once a build is done
    rng = random.Random(5)
    for round_, kind in enumerate(rounds):
        edits = _mutate(content, rng, round_, kind)
        targeted = _update(content, incremental, store)
        if kind in LOCAL and not any("documents/" in e or "index.md" in e for e in edits):
            assert targeted, (edits, "needed a build")
        assert settle(300)  # graph.json's positions equal a full build's once the layout behind settles
        shutil.rmtree(full, ignore_errors=True)
        for saved in tmp_path.glob("discovery.sqlite*"):  # the reference computes discovery, not reads it back
            saved.unlink()
        _fresh_build(content, full, store)
        a, b = _pages(incremental), _pages(full)
        assert sorted(a) == sorted(b), (edits, sorted(set(a) ^ set(b))[:10])
        stale = [p for p in a if a[p] != b[p]]
        assert not stale, (edits, stale[:10])
    assert bool(adopted) == beside


def _update(content: Path, site: Path, store: str) -> bool:
    """What `kb serve`'s site worker does after a sync; True when no build was needed."""
    s = open_store(store)
    try:
        changed = sync_content(content, s).changed
    finally:
        s.close()
    publish_first(str(site), store, changed)
    if follow_up(str(site), store, changed) is not None:
        settle_discovery(str(site))  # the worker's next step once no edit waits
        return True
    build_site(content, site, store_url=store, incremental=True, sync=False)
    prepare(str(site))
    return False
