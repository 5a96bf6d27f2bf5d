"""The corpus generator: deterministic, its truth self-consistent, every planted case present, and a sync agrees."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from kbsync.discovery import lang as L
from kbsync.discovery.yakelite import LiteExtractor
from kbsync.testing.corpus import canary_index, canary_of, generate
from kbsync.testing.vocab import fold, topic_words

LINK = re.compile(r"(!?)\[\[([^\]|#]+)(#[^\]|]*)?(\|[^\]]*)?\]\]")


def tree_digest(content: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(content.rglob("*")):
        if f.is_file() and not f.is_symlink():
            h.update(f.relative_to(content).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("planted")
    return out / "content", generate(out, 400, seed=5, bad=True, planted=True)


def texts(content: Path, truth: dict) -> dict[str, str]:
    return {p: (content / p).read_text(encoding="utf-8") for p in truth["entries"]}


@pytest.mark.parametrize("planted_, bad", [(False, False), (True, True)])
def test_same_arguments_same_bytes_other_seed_other_corpus(tmp_path: Path, planted_: bool, bad: bool) -> None:
    a = generate(tmp_path / "a", 60, seed=3, bad=bad, planted=planted_)
    b = generate(tmp_path / "b", 60, seed=3, bad=bad, planted=planted_)
    c = generate(tmp_path / "c", 60, seed=4, bad=bad, planted=planted_)
    assert a == b and tree_digest(tmp_path / "a" / "content") == tree_digest(tmp_path / "b" / "content")
    assert (tmp_path / "a" / "truth.json").read_bytes() == (tmp_path / "b" / "truth.json").read_bytes()
    assert a["entries"] != c["entries"]


def test_planting_leaves_the_base_truth_alone(tmp_path: Path, planted: tuple[Path, dict]) -> None:
    base = generate(tmp_path, 400, seed=5, bad=True)
    _, full = planted
    assert {p: full["entries"][p] for p in base["entries"]} == base["entries"]
    assert base["private_canaries"] == full["private_canaries"] and base["bad"] == full["bad"]
    assert "topics" not in base and full["topics"] and full["duplicates"] and full["unlinked"]


def test_truth_is_self_consistent(planted: tuple[Path, dict]) -> None:
    content, truth = planted
    entries = truth["entries"]
    for path, e in entries.items():
        assert (content / path).is_file(), path
        assert set(e["links"]) <= set(entries) and path not in e["links"], path
        assert all(entries[m]["type"] == "person" for m in e["mentions"]), path
        assert all(entries[c]["type"] == "chapter" for c in e["chapters"]), path
    back: dict[str, set[str]] = {}
    for path, e in entries.items():
        if not (e["draft"] or e["private"]):
            for dst in e["links"] + e["mentions"]:
                back.setdefault(dst, set()).add(path)
    assert truth["backlinks"] == {k: sorted(v) for k, v in sorted(back.items())}
    names = {fold(n) for p, e in entries.items() for n in [e["title"], *e["aliases"], Path(p).stem]}
    assert all(fold(b) not in names for e in entries.values() for b in e["broken"])
    assert all((content / path).exists() or (content / path).is_symlink() for path in truth["bad"])


def test_canaries_only_in_hidden_entries(planted: tuple[Path, dict]) -> None:
    content, truth = planted
    entries, canaries = truth["entries"], truth["private_canaries"]
    kinds = {"draft" if e["draft"] else "private" for e in entries.values() if e["draft"] or e["private"]}
    assert kinds == {"draft", "private"} and len(canaries) == sum(e["draft"] or e["private"] for e in entries.values())
    paths = list(entries)
    where = {c: [p for p, text in texts(content, truth).items() if c in text] for c in canaries}
    for c, found in where.items():
        owner = paths[canary_index(c)]  # the API privacy test finds owners this way
        assert found == [owner] and (entries[owner]["draft"] or entries[owner]["private"]), c


@pytest.mark.parametrize("i", [0, 7, 123, 99999, 100000])
def test_canaries_are_one_word_of_letters(i: int) -> None:
    """YAKE drops tokens with digits (and with two hyphens), tokenisers split on hyphens: a canary holding
    them could never surface in keywords, so a test looking for it there could not fail."""
    c = canary_of(i)
    assert c.isalpha() and c.isupper() and canary_index(c) == i
    assert [w for w in L.segment(c)] == [c]
    kws = LiteExtractor(lan="en", n=2, top=8).extract_keywords(f"{c} here. The {c} again, and {c} once more today.")
    assert c in [k for k, _ in kws]


def test_hidden_entries_are_no_unlinked_source(planted: tuple[Path, dict]) -> None:
    content, truth = planted
    entries = truth["entries"]
    assert truth["unlinked"]
    assert not [s for s in truth["unlinked"] if entries[s]["draft"] or entries[s]["private"]]
    hidden = [p for p, e in entries.items() if e["draft"] or e["private"]]
    # They do get titles planted (a leak would show): at least one hidden text names a mentionable title.
    titles = {e["title"] for p, e in entries.items() if any(p in ts for ts in truth["unlinked"].values())}
    assert any(t in (content / p).read_text(encoding="utf-8") for p in hidden for t in titles)


FORMS = {  # form -> does this link (embed flag, target, heading, label) use it, given the target's truth
    "path": lambda m, e, p: "/" in m[2] and m[2] + ".md" == p,
    "stem": lambda m, e, p: m[2] == Path(p).stem and not (m[3] or m[4] or m[1]),
    "case": lambda m, e, p: m[2] not in (Path(p).stem, e["title"]) and fold(m[2]) in (fold(Path(p).stem), fold(e["title"])),
    "alias": lambda m, e, p: m[2] in e["aliases"],
    "title": lambda m, e, p: m[2] == e["title"] != Path(p).stem,
    "label": lambda m, e, p: bool(m[4]),
    "heading": lambda m, e, p: m[3] == "#Overview",
    "embed": lambda m, e, p: m[1] == "!",
}


@pytest.mark.parametrize("form", FORMS)
def test_every_link_form_occurs_and_resolves_as_truth_says(planted: tuple[Path, dict], form: str) -> None:
    content, truth = planted
    entries = truth["entries"]
    by_name = {}
    for p, e in entries.items():  # the documented rules, weakest first so stronger ones win
        for n in [e["title"], *e["aliases"]]:
            by_name[n.lower()] = p
        by_name[Path(p).stem.lower()] = p
    seen = 0
    for path, text in texts(content, truth).items():
        body = re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.S)
        for m in LINK.finditer(body):
            target = m[2] + ".md" if m[2] + ".md" in entries else by_name.get(m[2].lower())
            if target is None:
                assert m[2] in entries[path]["broken"], (path, m[0])
                continue
            assert target in entries[path]["links"], (path, m[0])
            seen += FORMS[form](m, entries[target], target)
    assert seen >= 3, f"the corpus has {seen} links of the {form} form"


@pytest.mark.parametrize("pattern", [
    r"(?<![\w#])#[a-z]+/[a-z]+",  # nested inline tag
    r"(?<![\w#])#[a-z]+(?![\w/])",  # inline tag
    r"(?<!\w)@[a-z]+-[a-z]+",  # mention
    r"```markdown\n.*\[\[",  # a link inside a code block (never counts)
    r"^## Overview$",
])
def test_markup_occurs(planted: tuple[Path, dict], pattern: str) -> None:
    content, truth = planted
    assert sum(bool(re.search(pattern, t, re.M)) for t in texts(content, truth).values()) >= 3


def test_planted_duplicates_are_near_copies(planted: tuple[Path, dict]) -> None:
    content, truth = planted
    assert len(truth["duplicates"]) >= 4
    for src, copy in truth["duplicates"]:
        a, b = truth["entries"][src], truth["entries"][copy]
        assert a["title"] != b["title"] and fuzz.ratio(a["title"].lower(), b["title"].lower()) >= 75, (a, b)
        wa = (content / src).read_text(encoding="utf-8").split("---\n", 2)[2].split()[1 + len(a["title"].split()):]
        wb = (content / copy).read_text(encoding="utf-8").split("---\n", 2)[2].split()[1 + len(b["title"].split()):]
        assert len(wa) == len(wb)
        changed = sum(x != y for x, y in zip(wa, wb, strict=True)) / len(wa)
        assert 0.02 <= changed <= 0.2, (src, copy, changed)
        assert (a["links"], a["mentions"]) == (b["links"], b["mentions"])


def test_planted_unlinked_mentions_are_plain_text(planted: tuple[Path, dict]) -> None:
    content, truth = planted
    entries = truth["entries"]
    assert sum(map(len, truth["unlinked"].values())) >= 20
    for src, targets in truth["unlinked"].items():
        text = LINK.sub(" ", (content / src).read_text(encoding="utf-8"))
        for t in targets:
            assert entries[t]["title"] in text and t not in entries[src]["links"] and t != src, (src, t)
            assert not (entries[t]["draft"] or entries[t]["private"])


def test_planted_topics_share_rare_words(planted: tuple[Path, dict]) -> None:
    content, truth = planted
    words = topic_words(max(4, truth["params"]["entries"] // 100))
    members: dict[int, list[str]] = {}
    for path, topic in truth["topics"].items():
        members.setdefault(topic, []).append(path)
    assert len(members) >= 3 and all(len(m) >= 2 for m in members.values())
    for path, topic in truth["topics"].items():
        found = set((content / path).read_text(encoding="utf-8").split())
        assert len(found & set(words[topic])) >= 3, path
        assert not found & {w for t, ws in enumerate(words) if t != topic for w in ws}, path
    plain = set(entries_without_topic(content, truth))
    assert not any(set(ws) & plain for ws in words)


def entries_without_topic(content: Path, truth: dict) -> set[str]:
    return {w for p in truth["entries"] if p not in truth["topics"] for w in (content / p).read_text(encoding="utf-8").split()}


def test_sync_of_a_planted_corpus_matches_truth(planted: tuple[Path, dict], tmp_path: Path) -> None:
    """Near-duplicates, topic words and planted titles change nothing a sync derives beyond what truth says."""
    content, truth = planted
    args = ["--content", str(content), "--store", f"sqlite://{tmp_path / 'kb.sqlite'}"]
    subprocess.run([sys.executable, "-m", "kbsync", "sync", *args], capture_output=True, check=True)
    out = subprocess.run([sys.executable, "-m", "kbsync", "export", *args], capture_output=True, text=True, check=True)
    rows = {r["path"]: r for r in map(json.loads, out.stdout.splitlines())}
    path_of = {r["slug"]: p for p, r in rows.items()}
    for path, want in truth["entries"].items():
        got = rows[path]
        links = sorted({path_of[x["target"]] for x in got["links"] if x["kind"] in ("link", "embed") and x["target"]})
        mentions = sorted({path_of[x["target"]] for x in got["links"] if x["kind"] == "mention" and x["target"]})
        assert (links, mentions, sorted(got["tags"]), got["title"]) == (
            want["links"], want["mentions"], want["tags"], want["title"]), path


def test_cli(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "kbsync.testing.corpus"]
    ok = subprocess.run(run + ["--entries", "20", "--seed", "2", "--out", str(tmp_path / "c")], capture_output=True,
                        text=True)
    assert ok.returncode == 0 and "wrote 20 entries" in ok.stderr
    assert json.loads((tmp_path / "c" / "truth.json").read_text(encoding="utf-8"))["params"]["seed"] == 2
    (tmp_path / "mine" / "content").mkdir(parents=True)
    for args, error in [(["--entries", "19", "--out", str(tmp_path / "d")], "at least 20"),
                        (["--entries", "20"], "--out DIR"),
                        (["--entries", "20", "--out", str(tmp_path / "mine")], "not a generated corpus")]:
        bad = subprocess.run(run + args, capture_output=True, text=True)
        assert bad.returncode == 2 and error in bad.stderr, (args, bad.stderr)
    assert (tmp_path / "mine" / "content").is_dir()  # someone's own folder is never removed
