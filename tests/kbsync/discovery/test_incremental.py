"""Randomized: discovery kept between builds and refreshed after any mix of edits equals a full build, and it
goes through `Discovery.update` (not `build`) after the first."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import kbsync
from kbsync.discovery import incremental as I
from kbsync.discovery.enrich import Discovery
from kbsync.discovery.profile import Profiles
from kbsync.testing.corpus import ensure


def _front(text: str, line: str) -> str:
    head, sep, body = text.partition("\n---\n")
    key = line.split(":")[0]
    return "\n".join([*(x for x in head.split("\n") if not x.startswith(f"{key}:")), line]) + sep + body


def _edit(content: Path, store: Any, rng: random.Random, round_: int, kind: str) -> None:
    files = sorted(content.rglob("*.md"))
    victim, other = rng.choice(files), rng.choice(files)
    text = victim.read_text(encoding="utf-8")
    if kind == "body":  # another entry's words: its stems, related rows and topics move
        victim.write_text(text + "\n" + other.read_text(encoding="utf-8").partition("\n---\n")[2][:400] + "\n",
                          encoding="utf-8")
    elif kind == "link":
        victim.write_text(text + f"\nSee [[{other.stem}]].\n", encoding="utf-8")
    elif kind == "retitle":  # names only: unlinked mentions and duplicates move, stems do not
        victim.write_text(_front(text, f'title: "{other.stem} {round_}"'), encoding="utf-8")
    elif kind == "alias":
        victim.write_text(_front(text, f'aliases: ["{other.stem}"]'), encoding="utf-8")
    elif kind == "hide":
        victim.write_text(_front(text, rng.choice(["draft: true", "private: true"])), encoding="utf-8")
    elif kind == "new":
        (victim.parent / f"New {round_}.md").write_text(
            f"---\ntitle: New {round_}\n---\n{other.read_text(encoding='utf-8').partition(chr(10) + '---' + chr(10))[2]}",
            encoding="utf-8")
    elif kind == "delete":
        victim.unlink()
    elif kind == "rename":
        victim.rename(victim.with_name(f"Renamed {round_} {victim.name}"))
    elif kind == "keywords":  # the keyword filler commits keywords later, the file unchanged
        rec = next(r for r in store.entries() if r["path"] == str(victim.relative_to(content)))
        from kbsync.store.base import Batch

        store.apply(Batch(upserts=[dict(rec, keywords=[f"kw{round_}", *(rec.get("keywords") or [])[:2]])]))


KINDS = ["body", "link", "retitle", "alias", "hide", "new", "delete", "rename", "keywords", "body", "retitle"]


def _comparable(fields: dict[str, dict[str, Any]], topics: bool = True) -> dict[str, Any]:
    # Duplicates: `update` scores a re-queried name pair with rapidfuzz's exact ratio where the build's block pass
    # rounds it to a whole percent, so the pairs are compared, not the last digit of their scores.
    return {s: {**f, "duplicates": sorted(x["slug"] for x in f["duplicates"]), "topics": f["topics"] if topics else 0}
            for s, f in fields.items()}


def valid(topics: list[dict[str, Any]], of: dict[str, list[str]]) -> bool:
    """Each entry in one topic at most, named by that topic's label; ids in order; labels unique."""
    seen = [e for t in topics for e in t["entries"]]
    return (len(seen) == len(set(seen)) and [t["id"] for t in topics] == list(range(len(topics)))
            and len({t["label"] for t in topics}) == len(topics)
            and of == {e: [t["label"]] for t in topics for e in t["entries"]})


@pytest.mark.parametrize("viewer", ["public", "token"])
def test_a_refresh_after_random_edits_equals_a_full_build(tmp_path: Path, viewer: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    content, _ = ensure(tmp_path / "corpus", 60, planted=True)
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    calls = {"build": 0, "update": 0}
    build, update = Discovery.build, Discovery.update

    def counting(name: str, fn: Any) -> Any:
        def wrapped(self: Discovery, *a: Any, **k: Any) -> Any:
            calls[name] += 1
            return fn(self, *a, **k)
        return wrapped

    monkeypatch.setattr(Discovery, "build", counting("build", build))
    monkeypatch.setattr(Discovery, "update", counting("update", update))
    profiles = Profiles()
    kept = I.refresh(None, kb.store.entries(), content, viewer, profiles, workers=1)
    rng = random.Random(3)
    redone: set[str] = set()
    for round_, kind in enumerate(KINDS):
        _edit(content, kb.store, rng, round_, kind)
        kb.sync()
        records = list(kb.store.entries())
        before = calls["build"]
        kept = I.refresh(kept, records, content, viewer, profiles, workers=1)
        assert calls["build"] == before, kind  # the kept discovery is updated, never built again
        redone.update(kept.redone)
        with monkeypatch.context() as m:
            m.setattr(Discovery, "build", build)
            full = Discovery(content, viewer).build(records, profiles=Profiles(), workers=1)
        # Topics equal a full build's after a full topic run; body edits place entries without one (topics.py).
        exact = "topics" in kept.redone or kind not in ("body", "keywords")
        assert _comparable(kept.fields(), exact) == _comparable(full.fields(), exact), (round_, kind)
        assert kept.found.topics == full.topics if exact else valid(kept.found.topics, kept.found.topics_of), kind
    # (a round may touch only what the viewer cannot see: nothing to update then)
    assert calls["build"] == 1 and calls["update"] == kept.updates >= len(KINDS) - 2
    assert "topics" in redone and "related" not in redone  # stems moved: topics redone; related updated in place
    kb.close()


def test_nothing_moved_reuses_the_kept_discovery(tmp_path: Path) -> None:
    content, _ = ensure(tmp_path / "corpus", 30, planted=True)
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    kept = I.refresh(None, kb.store.entries(), content, workers=1)
    again = I.refresh(kept, kb.store.entries(), content, workers=1)
    assert again is kept and again.updates == 0 and again.redone == []
    kb.close()


def test_an_update_that_failed_half_way_is_never_updated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, _ = ensure(tmp_path / "corpus", 30, planted=True)
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    kept = I.refresh(None, kb.store.entries(), content, workers=1)
    victim = sorted(content.rglob("*.md"))[3]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nBarbell tempo and pauses.\n", encoding="utf-8")
    kb.sync()

    def broken(self: Discovery, *a: Any, **k: Any) -> None:
        raise OSError("disk gone mid-update")

    with monkeypatch.context() as m:
        m.setattr(Discovery, "update", broken)
        with pytest.raises(OSError):
            I.refresh(kept, kb.store.entries(), content, workers=1)
    again = I.refresh(kept, kb.store.entries(), content, workers=1)
    assert again is not kept and again.builds == 1 and again.redone == ["all"]
    full = Discovery(content).build(list(kb.store.entries()), profiles=Profiles(), workers=1)
    assert _comparable(again.fields()) == _comparable(full.fields())
    kb.close()


def _kept(tmp_path: Path, n: int = 40) -> tuple[Path, Any, I.Kept]:
    """A small corpus whose topics place edited entries as a large one's do (`PLACE_FROM` lowered by the caller)."""
    content, _ = ensure(tmp_path / "corpus", n, planted=True)
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    return content, kb, I.refresh(None, kb.store.entries(), content, workers=1)


def _members(kept: I.Kept) -> list[tuple[str, list[str]]]:
    return [(t["label"], list(t["entries"])) for t in kept.found.topics]


@pytest.mark.parametrize("edits", [1, 3])
def test_a_body_edit_places_the_entry_without_rerunning_leiden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               edits: int) -> None:
    """Topics after a body edit: words counted for the edited entries only, no Leiden run, a valid partition."""
    from kbsync.discovery import profile as P
    from kbsync.discovery import topics as T

    monkeypatch.setattr(T, "PLACE_FROM", 0)
    content, kb, kept = _kept(tmp_path)
    files = sorted(content.rglob("*.md"))
    donor = files[-1].read_text(encoding="utf-8").partition("\n---\n")[2]
    for victim in files[:edits]:
        victim.write_text(victim.read_text(encoding="utf-8") + "\n" + donor * 3, encoding="utf-8")
    kb.sync()
    counted: list[int] = []
    batch = P.batch

    def counting(words: Any, *a: Any, **k: Any) -> Any:
        counted.append(len(words))
        return batch(words, *a, **k)

    def no_leiden(*a: Any, **k: Any) -> Any:
        raise AssertionError("Leiden ran")

    monkeypatch.setattr(P, "batch", counting)
    monkeypatch.setattr(T, "_communities", no_leiden)
    kept = I.refresh(kept, kb.store.entries(), content, workers=1)
    assert kept.redone == [] and sum(counted) == edits
    assert valid(kept.found.topics, kept.found.topics_of)
    kb.close()


@pytest.mark.parametrize("filler", ["\nAnd so it is, and it was, and then.\n", "\n\n\n", "\n<!-- a comment -->\n"])
def test_a_topic_neutral_edit_leaves_topics_unchanged(tmp_path: Path, filler: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from kbsync.discovery import topics as T

    monkeypatch.setattr(T, "PLACE_FROM", 0)
    content, kb, kept = _kept(tmp_path)
    before, of = _members(kept), dict(kept.found.topics_of)
    victim = sorted(content.rglob("*.md"))[2]
    victim.write_text(victim.read_text(encoding="utf-8") + filler, encoding="utf-8")
    kb.sync()
    kept = I.refresh(kept, kb.store.entries(), content, workers=1)
    assert kept.updates == 1 and kept.redone == []
    assert _members(kept) == before and kept.found.topics_of == of
    kb.close()


def test_an_entry_rewritten_to_another_subject_moves_to_its_topic(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from kbsync.discovery import topics as T

    monkeypatch.setattr(T, "PLACE_FROM", 0)
    content, kb, kept = _kept(tmp_path, 60)
    topics = [t for t in kept.found.topics if len(t["entries"]) >= 3]
    a, b = topics[0], topics[1]
    path = {r["slug"]: content / r["path"] for r in kb.store.entries()}
    slug, victim, donor = a["entries"][0], path[a["entries"][0]], path[b["entries"][0]]
    head = victim.read_text(encoding="utf-8").partition("\n---\n")
    victim.write_text(head[0] + head[1] + donor.read_text(encoding="utf-8").partition("\n---\n")[2] * 2,
                      encoding="utf-8")
    kb.sync()
    kept = I.refresh(kept, kb.store.entries(), content, workers=1)
    assert kept.redone == [] and valid(kept.found.topics, kept.found.topics_of)
    assert kept.found.topics_of.get(slug) == [b["label"]]
    kb.close()


def test_leiden_runs_again_once_enough_entries_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbsync.discovery import topics as T

    monkeypatch.setattr(T, "REDO_MIN", 2)
    monkeypatch.setattr(T, "PLACE_FROM", 0)
    content, kb, kept = _kept(tmp_path)
    files = sorted(content.rglob("*.md"))
    donor = files[-1].read_text(encoding="utf-8").partition("\n---\n")[2]
    redone = []
    for victim in files[:6]:
        victim.write_text(victim.read_text(encoding="utf-8") + "\n" + donor * 3, encoding="utf-8")
        kb.sync()
        kept = I.refresh(kept, kb.store.entries(), content, workers=1)
        redone.append("topics" in kept.redone)
        assert valid(kept.found.topics, kept.found.topics_of)
    assert any(redone) and not all(redone)
    kb.close()


def test_a_small_corpus_clusters_again_on_a_body_edit(tmp_path: Path) -> None:
    """Below `PLACE_FROM` entries topics are a full build's after every edit (the site's parity relies on it)."""
    content, kb, kept = _kept(tmp_path)
    victim = sorted(content.rglob("*.md"))[3]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nBarbell tempo, pauses and depth.\n", encoding="utf-8")
    kb.sync()
    kept = I.refresh(kept, kb.store.entries(), content, workers=1)
    full = Discovery(content).build(list(kb.store.entries()), profiles=Profiles(), workers=1)
    assert kept.redone == ["topics"] and kept.found.topics == full.topics
    kb.close()
