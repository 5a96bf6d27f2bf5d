"""`kb check` names an ambiguous link's other candidates from the stored resolution, never re-resolving."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.check import collect, format_problem
from kbsync.export import entry_json
from kbsync.resolve import Resolver
from kbsync.store import open_store
from kbsync.sync import sync_content
from kbsync.visibility import OWNER, PUBLIC


@pytest.mark.parametrize("files, body, expect", [
    ({"en/Ideas.md": "en", "fr/Ideas.md": "fr"}, "[[Ideas]]", "chose en/ideas (closest), also matches fr/Ideas.md"),
    ({"en/Ideas.md": "en", "fr/Ideas.md": "fr"}, "[i](Ideas.md)", "also matches fr/Ideas.md"),
    ({"en/pic.png": "x", "fr/pic.png": "y"}, "![[pic.png]]", "chose en/pic.png (closest), also matches fr/pic.png"),
    ({"en/plan.pdf": "x", "de/x/plan.pdf": "y"}, "[[plan.pdf|the plan]]", "also matches de/x/plan.pdf"),
    ({"en/Ideas.md": "en", "fr/Ideas.md": "fr"}, "---\nrelated: '[[Ideas]]'\n---\n", "also matches fr/Ideas.md"),
])
def test_check_names_other_candidates_from_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     files: dict[str, str], body: str, expect: str) -> None:
    content = tmp_path / "c"
    for name, text in {**files, "Start.md": body + "\n"}.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)

    def no_resolving(*_: object, **__: object) -> None:
        raise AssertionError("kb check resolved a link again")

    monkeypatch.setattr(Resolver, "resolve", no_resolving)
    monkeypatch.setattr(Resolver, "person", no_resolving)
    amb = [format_problem(p) for p in collect(store) if p["code"] == "ambiguous_link"]
    assert len(amb) == 1 and amb[0].startswith("Start.md:") and amb[0].endswith(expect), amb


def test_candidates_are_shown_to_the_owner_only(tmp_path: Path) -> None:
    content = tmp_path / "c"
    for name, text in {"en/Ideas.md": "en", "fr/Ideas.md": "---\nprivate: true\n---\nsecret", "en/S.md": "[[Ideas]]"
                       }.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    rec = store.get("en/s")
    assert rec is not None and rec["links"][0]["ambiguous"] == ["fr/Ideas.md"]
    assert entry_json(rec, OWNER)["links"][0]["ambiguous"] == ["fr/Ideas.md"]  # type: ignore[index]
    assert entry_json(rec, PUBLIC)["links"][0]["ambiguous"] is True  # type: ignore[index]
