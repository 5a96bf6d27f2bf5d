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


def _comparable(fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    # Duplicates: `update` scores a re-queried name pair with rapidfuzz's exact ratio where the build's block pass
    # rounds it to a whole percent, so the pairs are compared, not the last digit of their scores.
    return {s: {**f, "duplicates": sorted(x["slug"] for x in f["duplicates"])} for s, f in fields.items()}


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
        assert _comparable(kept.fields()) == _comparable(full.fields()), (round_, kind)
        assert kept.found.topics == full.topics, (round_, kind)
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


@pytest.mark.parametrize("edits", [1, 3])
def test_topics_after_a_body_edit_count_the_edited_entries_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                edits: int) -> None:
    """Topics are redone from the kept features: words are counted for the edited entries, not for every entry."""
    from kbsync.discovery import profile as P

    content, _ = ensure(tmp_path / "corpus", 40, planted=True)
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    kept = I.refresh(None, kb.store.entries(), content, workers=1)
    for victim in sorted(content.rglob("*.md"))[:edits]:
        victim.write_text(victim.read_text(encoding="utf-8") + "\nBarbell tempo and pauses.\n", encoding="utf-8")
    kb.sync()
    counted: list[int] = []
    batch = P.batch

    def counting(words: Any, *a: Any, **k: Any) -> Any:
        counted.append(len(words))
        return batch(words, *a, **k)

    monkeypatch.setattr(P, "batch", counting)
    kept = I.refresh(kept, kb.store.entries(), content, workers=1)
    assert "topics" in kept.redone and sum(counted) == edits
    kb.close()
