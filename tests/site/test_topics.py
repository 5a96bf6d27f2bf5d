"""The site keeps its discovery between the builds of one process: a rebuild after an edit updates it (the same
pages as a full build: `test_incremental_parity.py`), it is never built again from scratch."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbsync.discovery.enrich import Discovery
from kbsync.testing.corpus import ensure
from site_plugins import topics
from site_plugins.config import build_site

# (edit, what the update must recompute in full besides re-querying the entry)
EDITS = [("body", lambda t: t + "\nA fresh sentence about barbell tempo and depth.\n", {"topics"}),
         ("title", lambda t: t.replace("---\n", "---\ntitle: Quite Another Title\n", 1), set()),
         ("hidden", lambda t: t.replace("---\n", "---\ndraft: true\n", 1), {"topics"})]


@pytest.mark.parametrize(("edit", "redone"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_a_rebuild_after_one_edit_updates_the_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any,
                                                       redone: set[str]) -> None:
    content, _ = ensure(tmp_path / "corpus", 40, planted=True)
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    monkeypatch.setattr(topics, "_KEPT", {})  # this test's process state only
    calls = {"build": 0, "update": 0}

    def counting(name: str) -> Any:
        fn = getattr(Discovery, name)

        def counted(self: Discovery, *a: Any, **k: Any) -> Any:
            calls[name] += 1
            return fn(self, *a, **k)
        return counted

    for name in calls:
        monkeypatch.setattr(Discovery, name, counting(name))
    build_site(content, tmp_path / "site", store_url=store, incremental=True)
    assert calls == {"build": 1, "update": 0}
    victim = next(p for p in sorted(content.rglob("*.md")) if p.read_text(encoding="utf-8").startswith("---\n")
                  and "draft: true" not in p.read_text() and "private: true" not in p.read_text()
                  and "/people/" not in str(p))
    victim.write_text(edit(victim.read_text(encoding="utf-8")), encoding="utf-8")
    build_site(content, tmp_path / "site", store_url=store, incremental=True)
    assert calls == {"build": 1, "update": 1}  # the second build updated the kept discovery
    kept = topics._KEPT[content.resolve()]
    assert set(kept.redone) == redone, kept.redone


def test_a_new_process_reuses_the_saved_discovery_only_for_the_same_inputs(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    content, _ = ensure(tmp_path / "corpus", 30, planted=True)
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    site = tmp_path / "site"
    monkeypatch.setattr(topics, "_KEPT", {})
    build_site(content, site, store_url=store)
    page = next(site.glob("*/*/index.html"))
    first = page.read_text(encoding="utf-8")
    calls = []
    build = Discovery.build

    def counted(self: Discovery, *a: Any, **k: Any) -> Any:
        calls.append(1)
        return build(self, *a, **k)

    monkeypatch.setattr(Discovery, "build", counted)
    for round_, (edit, built) in enumerate([(None, 0), ("\nNew words: barbell tempo pauses.\n", 1)]):
        monkeypatch.setattr(topics, "_KEPT", {})  # a new process: nothing kept in memory
        if edit:
            victim = sorted(content.rglob("*.md"))[5]
            victim.write_text(victim.read_text(encoding="utf-8") + edit, encoding="utf-8")
        build_site(content, site, store_url=store)
        assert len(calls) == built, round_  # unchanged inputs: read from `.kb/discovery.sqlite`, nothing built
        if not edit:
            assert page.read_text(encoding="utf-8") == first


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:////abs/dir/kb.sqlite", "/abs/dir/discovery.sqlite"),
    ("sqlite:///abs/dir/kb.sqlite", "/abs/dir/discovery.sqlite"),  # absolute: the leading slash stays
    ("sqlite://rel/kb.sqlite", "rel/discovery.sqlite"),
    ("sqlite:///:memory:", None),
    ("mongodb://host/kb", None),
])
def test_results_sit_beside_the_store_file(url: str, expected: str | None) -> None:
    from site_plugins.topics import results_path

    got = results_path(url)
    assert (str(got) if got else None) == expected


@pytest.mark.parametrize("edited", [1, 2])
def test_a_new_process_profiles_only_the_entries_that_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            edited: int) -> None:
    """Per-entry features are kept beside the store: a new build process recomputes the edited entries only."""
    from kbsync.discovery.profile import Profiles

    content, _ = ensure(tmp_path / "corpus", 30, planted=True)
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    monkeypatch.setattr(topics, "_KEPT", {})
    monkeypatch.setattr(topics, "_PROFILES", Profiles())
    build_site(content, tmp_path / "site", store_url=store)
    assert topics._PROFILES.computed > 20
    for victim in sorted(content.rglob("*.md"))[:edited]:
        victim.write_text(victim.read_text(encoding="utf-8") + "\nNew words: barbell tempo pauses.\n", encoding="utf-8")
    monkeypatch.setattr(topics, "_KEPT", {})  # a new process: nothing in memory
    monkeypatch.setattr(topics, "_PROFILES", Profiles())
    build_site(content, tmp_path / "site", store_url=store)
    assert topics._PROFILES.computed == edited


@pytest.mark.parametrize("second", ["same store", "another store"])
def test_every_build_of_one_process_shows_the_home_topics_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               second: str) -> None:
    """One content folder built twice in one process: the second build's home page lists topics too, whichever
    store it goes to (the kept discovery is reused, and its results saved beside that store)."""
    content, _ = ensure(tmp_path / "corpus", 40, planted=True)
    monkeypatch.setattr(topics, "_KEPT", {})
    first = f"sqlite:///{tmp_path / 'a' / 'kb.sqlite'}"
    other = first if second == "same store" else f"sqlite:///{tmp_path / 'b' / 'kb.sqlite'}"
    pages = []
    for n, store in enumerate([first, other]):
        build_site(content, tmp_path / f"site{n}", store_url=store)
        pages.append((tmp_path / f"site{n}" / "index.html").read_text(encoding="utf-8"))
    assert '<ul class="kb-topics">' in pages[0]  # the planted corpus has topics
    assert '<ul class="kb-topics">' in pages[1]


@pytest.mark.parametrize(("written", "expected"), [
    (b"kept", "kept"),  # read back by the next build
    (None, None),  # the file is gone: the next build starts over
    (b"\x80not a pickle", None),  # unreadable: the same
])
def test_a_discovery_left_in_a_file_is_read_back_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      written: bytes | None, expected: str | None) -> None:
    import pickle

    monkeypatch.setattr(topics, "_KEPT", {})
    path = tmp_path / "kept.pickle"
    if written is not None:
        path.write_bytes(pickle.dumps(written.decode()) if expected else written)
    topics._KEPT[tmp_path] = topics.Stored(str(path), pickle.load)
    assert topics.kept_of(tmp_path) == expected
    assert not path.exists() and tmp_path not in topics._KEPT  # taken out: never read twice, nothing left behind
