"""Privacy canaries through the library's front door: `kbsync.open()` with the public viewer shows no draft or
private entry, its text, or its slug, through any of its calls."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import kbsync


@pytest.fixture(scope="module")
def opened(corpus300: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Any:
    content, truth = corpus300
    kb = kbsync.open(content, f"sqlite://{tmp_path_factory.mktemp('openpriv') / 'kb.sqlite'}")
    kb.sync()
    yield kb, truth
    kb.close()


def _hidden(kb: Any) -> set[str]:
    return {r["slug"] for r in kb.entries(viewer="owner") if r["visibility"] != "public"}


def test_public_viewer_sees_no_canary_and_no_hidden_slug(opened: tuple[Any, dict]) -> None:
    kb, truth = opened
    hidden = _hidden(kb)
    assert hidden and truth["private_canaries"]
    hidden_titles = [t["title"] for t in truth["entries"].values() if t["draft"] or t["private"]]
    seen: list[Any] = [list(kb.entries()), kb.check(), sorted(kb.graph().nodes), sorted(kb.graph().edges)]
    for q in truth["private_canaries"] + hidden_titles + [w for t in hidden_titles for w in t.split()[:1]]:
        seen += [kb.search(q, limit=100)["hits"], kb.suggest(q, limit=100)["hits"], kb.get(q)]  # not the echoed query
    for slug in hidden:
        assert kb.get(slug) is None
    dump = json.dumps(seen, ensure_ascii=False)
    assert not [c for c in truth["private_canaries"] if c in dump]
    named = set(re.findall(r'"(?:slug|target|source)": "([^"]+)"', dump)) | set(kb.graph().nodes)
    assert not named & hidden


def test_the_owner_does_see_them(opened: tuple[Any, dict]) -> None:
    kb, truth = opened
    found = [c for c in truth["private_canaries"] if kb.search(c, limit=5, viewer="owner")["hits"]]
    assert found == truth["private_canaries"]  # so the public viewer's empty answers above mean something
    assert _hidden(kb) <= set(kb.graph(viewer="owner"))
