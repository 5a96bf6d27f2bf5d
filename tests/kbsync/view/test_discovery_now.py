"""An entry request never waits on a discovery rebuild: it answers from the last build while a new one runs behind,
unless an entry that build covers is hidden now; backlink sentences always come from the sources as stored now."""
from __future__ import annotations

import threading
import time
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
}


class SlowDiscovery(V.Discovery):
    """A build that waits for the test's signal: a big vault's rebuild, made as long as the test needs."""
    gate = threading.Event()

    def build(self, *args: Any, **kwargs: Any) -> Any:
        assert SlowDiscovery.gate.wait(30)
        return super().build(*args, **kwargs)


@pytest.fixture()
def kb(tmp_path: Path) -> Any:
    content = tmp_path / "content"
    content.mkdir()
    for name, text in NOTES.items():
        (content / name).write_text(text, encoding="utf-8")
    kb = kbsync.open(content, f"sqlite://{tmp_path / 'kb.sqlite'}")
    kb.sync()
    yield kb
    SlowDiscovery.gate.set()
    kb.close()


def visible(kb: Any) -> Any:
    return lambda s: (r := kb.store.get(s)) is not None and can_see(r, "public")


def edit(kb: Any, name: str, text: str) -> None:
    (Path(kb.content_dir) / name).write_text(text, encoding="utf-8")
    kb.sync()


def test_a_request_during_a_rebuild_gets_the_last_build_at_once(kb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    view = V.DiscoveryView(kb.content_dir)
    first = view.fields_now(kb.store, "public", visible(kb))
    assert first is not None and set(first) == {"a", "b", "c"}
    monkeypatch.setattr(V, "Discovery", SlowDiscovery)
    SlowDiscovery.gate.clear()
    edit(kb, "A.md", NOTES["A.md"].replace("See [[B]] for the cues.", "Read [[B]] before lifting."))
    t0 = time.perf_counter()
    now = view.fields_now(kb.store, "public", visible(kb), wait=10)
    assert time.perf_counter() - t0 < 2 and now is first  # the older build, without waiting for the new one
    rec = kb.store.get("b")
    assert view.contexts_fresh(kb.store, rec)[("a", "link")] == "Read B before lifting."  # from A as stored now
    SlowDiscovery.gate.set()
    view.build_behind(kb.store, "public").join(30)
    assert view.fields_now(kb.store, "public", visible(kb), wait=0) is not first


def test_an_entry_hidden_since_the_last_build_is_never_served_from_it(kb: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    view = V.DiscoveryView(kb.content_dir)
    assert "c" in (view.fields_now(kb.store, "public", visible(kb)) or {})
    monkeypatch.setattr(V, "Discovery", SlowDiscovery)
    SlowDiscovery.gate.clear()
    edit(kb, "C.md", NOTES["C.md"].replace("title: C\n", "title: C\nprivate: true\n"))
    assert view.fields_now(kb.store, "public", visible(kb), wait=0.2) is None  # not the build that still holds C
    SlowDiscovery.gate.set()
    fresh = view.fields_now(kb.store, "public", visible(kb), wait=30)
    assert fresh is not None and set(fresh) == {"a", "b"}
