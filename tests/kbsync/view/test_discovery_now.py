"""Discovery requests never wait on a rebuild: the entry route, related and duplicates answer from the last build
(in memory, else saved beside the store) while a new one is made behind, unless an entry that build covers is
hidden now; backlink sentences always come from the sources as stored now."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kbsync
from kbsync.view import discovery as V
from kbsync.visibility import can_see

NOTES = {
    "A.md": "---\ntitle: A\n---\nAlpha trains the squat. See [[B]] for the cues.\n",
    "B.md": "---\ntitle: B\n---\nBravo squat cues and depth.\n",
    "C.md": "---\ntitle: C\n---\nCharlie squat depth cues, see [[B]].\n",
    "Squats.md": "---\ntitle: Squats\n---\nThe squat: hips back, knees out, chest up, down to depth and up again.\n",
    "Squat.md": "---\ntitle: Squat\n---\nThe squat: hips back, knees out, chest up, down to depth and up again!\n",
}
SLUGS = {"a", "b", "c", "squats", "squat"}


@pytest.fixture()
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Closed: every discovery build or update waits for the test's signal (a big vault's rebuild, as long as
    the test needs). Open by default."""
    opened = threading.Event()
    opened.set()

    def slow(fn: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            assert opened.wait(30)
            return fn(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(V.Discovery, "build", slow(V.Discovery.build))
    monkeypatch.setattr(V.Discovery, "update", slow(V.Discovery.update))
    yield opened
    opened.set()


@pytest.fixture()
def kb(tmp_path: Path) -> Any:
    content = tmp_path / "content"
    content.mkdir()
    for name, text in NOTES.items():
        (content / name).write_text(text, encoding="utf-8")
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    yield kb
    kb.close()


def visible(kb: Any) -> Any:
    return lambda s: (r := kb.store.get(s)) is not None and can_see(r, "public")


def edit(kb: Any, name: str, text: str) -> None:
    (Path(kb.content_dir) / name).write_text(text, encoding="utf-8")
    kb.sync()


def view(kb: Any) -> V.DiscoveryView:
    return V.DiscoveryView(kb.content_dir, Path(kb.content_dir).parent / "discovery.sqlite")


def test_a_request_during_a_rebuild_gets_the_last_build_at_once(kb: Any, gate: threading.Event) -> None:
    v = view(kb)
    first = v.fields_now(kb.store, "public", visible(kb))
    assert first is not None and set(first) == SLUGS
    gate.clear()
    edit(kb, "A.md", NOTES["A.md"].replace("See [[B]] for the cues.", "Read [[B]] before lifting."))
    t0 = time.perf_counter()
    now = v.fields_now(kb.store, "public", visible(kb), wait=10)
    assert time.perf_counter() - t0 < 2 and now is first  # the older build, without waiting for the new one
    rec = kb.store.get("b")
    assert v.contexts_fresh(kb.store, rec)[("a", "link")] == "Read B before lifting."  # from A as stored now
    gate.set()
    v.build_behind(kb.store, "public").join(30)
    assert v.fields_now(kb.store, "public", visible(kb), wait=0) is not first


def test_an_entry_hidden_since_the_last_build_is_never_served_from_it(kb: Any, gate: threading.Event) -> None:
    v = view(kb)
    assert "c" in (v.fields_now(kb.store, "public", visible(kb)) or {})
    gate.clear()
    edit(kb, "C.md", NOTES["C.md"].replace("title: C\n", "title: C\nprivate: true\n"))
    assert v.fields_now(kb.store, "public", visible(kb), wait=0.2) is None  # not the build that still holds C
    gate.set()
    fresh = v.fields_now(kb.store, "public", visible(kb), wait=30)
    assert fresh is not None and set(fresh) == SLUGS - {"c"}


# (route, what its answer lists) for the two list routes
ROUTES = [("duplicates", lambda v, kb, **k: v.duplicate_items(kb.store, "public", **k),
           lambda out: sorted((p["a"]["slug"], p["b"]["slug"]) for p in out["pairs"])),
          ("title check", lambda v, kb, **k: v.duplicate_items(kb.store, "public", "Squat", **k),
           lambda out: sorted(x["slug"] for x in out["hits"])),
          ("related", lambda v, kb, **k: v.related_items(kb.store, "b", "public", **k),
           lambda out: sorted(x["slug"] for x in out["related"]))]


@pytest.mark.parametrize(("call", "rows"), [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES])
def test_list_routes_answer_from_the_last_build_and_say_it_is_stale(kb: Any, gate: threading.Event, call: Any,
                                                                   rows: Any) -> None:
    v = view(kb)
    before = call(v, kb)
    assert before["stale"] is False and before["building"] is False and rows(before)
    gate.clear()
    edit(kb, "A.md", NOTES["A.md"] + "\nMore squat depth.\n")
    t0 = time.perf_counter()
    during = call(v, kb, wait=10)
    assert time.perf_counter() - t0 < 2  # never waits on the rebuild
    assert during["stale"] is True and during["revision"] == before["revision"] and rows(during) == rows(before)
    gate.set()
    v.build_behind(kb.store, "public").join(30)
    after = call(v, kb)
    assert after["stale"] is False and after["revision"] == kb.store.revision()


@pytest.mark.parametrize(("call", "rows"), [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES])
def test_list_routes_never_name_an_entry_hidden_since(kb: Any, gate: threading.Event, call: Any, rows: Any) -> None:
    v = view(kb)
    assert rows(call(v, kb))
    gate.clear()
    edit(kb, "Squats.md", NOTES["Squats.md"].replace("title: Squats\n", "title: Squats\ndraft: true\n"))
    edit(kb, "A.md", NOTES["A.md"].replace("title: A\n", "title: A\nprivate: true\n"))
    out = call(v, kb, wait=0.2)
    assert out["building"] is True and rows(out) == []  # fail closed: no list rather than the old one
    gate.set()
    v.build_behind(kb.store, "public").join(30)
    out = call(v, kb)
    assert not {"squats", "a"} & set(rows(out)) and out["stale"] is False


def test_a_new_process_answers_from_the_saved_build_at_once(kb: Any, gate: threading.Event) -> None:
    first = view(kb)
    want = first.duplicate_items(kb.store, "public")
    assert want["pairs"]
    gate.clear()  # the restarted process's own build cannot finish
    again = view(kb)  # a new process: nothing in memory, the results beside the store
    t0 = time.perf_counter()
    got = again.duplicate_items(kb.store, "public", wait=10)
    assert time.perf_counter() - t0 < 2 and got["pairs"] == want["pairs"] and got["revision"] == want["revision"]
    assert got["stale"] is True  # read from disk: checked and rebuilt behind, even at the same revision
    assert again.related_items(kb.store, "b", "public", wait=10)["related"]
    gate.set()
    again.build_behind(kb.store, "public").join(30)
    assert again.duplicate_items(kb.store, "public")["stale"] is False


def test_the_first_call_with_no_build_at_all_says_building(kb: Any, gate: threading.Event) -> None:
    gate.clear()
    v = view(kb)
    out = v.duplicate_items(kb.store, "public", wait=0.2)
    assert out == {"pairs": [], "building": True, "stale": True, "revision": None}
    gate.set()
    v.build_behind(kb.store, "public").join(30)
    assert v.duplicate_items(kb.store, "public")["pairs"]


def test_a_new_process_profiles_only_what_moved_since_an_earlier_one(kb: Any) -> None:
    first = view(kb)
    assert first.fields_now(kb.store, "public", visible(kb)) is not None
    assert first._profiles.computed == len(SLUGS)
    edit(kb, "B.md", NOTES["B.md"].replace("depth", "depth and bar path"))
    again = view(kb)  # as `kb serve` restarted after a sync: the unchanged entries' features are read from disk
    again.build_behind(kb.store, "public").join(30)
    assert again._profiles.computed == 1


def test_a_title_check_during_an_update_in_place_answers_as_it_last_did(kb: Any) -> None:
    """An update changes the names index in place under `guard(viewer)` (a refit can take seconds): a title check
    that finds it held answers from its last answer to the same check, not after the update."""
    v = view(kb)
    before = v.duplicate_items(kb.store, "public", "Squat")
    assert sorted(x["slug"] for x in before["hits"]) == ["squat", "squats"]
    got: dict[str, Any] = {}

    def checks() -> None:
        got["during"] = v.duplicate_items(kb.store, "public", "Squat")
        got["unseen"] = v.duplicate_items(kb.store, "public", "Bench press")

    with v.guard("public"):  # an update in progress, held until the checks answer (or hang)
        t = threading.Thread(target=checks, daemon=True)
        t.start()
        t.join(20)
        assert not t.is_alive()  # the checks did not wait for the update to let go
    assert got["during"]["hits"] == before["hits"]
    assert got["unseen"]["hits"] == []  # never asked before: nothing to answer from, and no waiting for it
