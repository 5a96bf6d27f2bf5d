"""Search entries' text held compressed (site_plugins/searchpack.py): every index writer writes the same bytes."""
from __future__ import annotations

import copy
import pickle
import threading
from pathlib import Path
from typing import Any

import pytest
from kbsite import build
from material.plugins.search.plugin import SearchIndex, SearchPlugin

from kbsync.testing.corpus import ensure
from site_plugins import followup_outputs, parallel, searchpack
from site_plugins.searchout import index_parts, write_index

CONFIG = {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stemmer"], "fields": {"title": {"boost": 1000}},
          "enabled": True}
LONG = "word " * 80
TEXTS = [  # (name, text)
    ("short: kept a string", "<p>a short page</p>"),
    ("long ASCII", LONG),
    ("unicode, quotes, escapes", "深蹲 \"squat\" é\\n</p>\u2028 <script>" * 20),
    ("a lone surrogate", "\ud800 broken " * 40),
    ("empty", ""),
]


def _entries() -> list[dict[str, Any]]:
    return [{"location": f"p{i}/", "title": name, "text": text} for i, (name, text) in enumerate(TEXTS)]


def _writers(docs: list[dict[str, Any]], tmp: Path) -> dict[str, bytes]:
    """The index as each writer of it serializes `docs`: Material's, the streamed one, the follow-ups'."""
    index = SearchIndex(**CONFIG)
    index.entries = docs
    material = index.generate_search_index(None).encode("utf-8")
    settings, got = index_parts(index, None)
    write_index(str(tmp / "search_index.json"), settings, got)
    plugin = SearchPlugin()
    plugin.search_index = index
    ser = [followup_outputs._entry_json(e) for e in docs]
    return {"material": material, "streamed": (tmp / "search_index.json").read_bytes(),
            "follow-up": followup_outputs.search_index_json(plugin, docs, ser).encode("utf-8")}


@pytest.mark.parametrize("through_pickle", [False, True])  # a worker's entries reach the parent pickled
def test_every_writer_writes_the_same_bytes_packed(through_pickle: bool, tmp_path: Path) -> None:
    want = _writers(_entries(), tmp_path)
    packed = _entries()
    searchpack.pack(packed)
    if through_pickle:
        packed = pickle.loads(pickle.dumps(packed))
    kinds = [type(e["text"]).__name__ for e in packed]
    assert kinds == ["str", "Packed", "Packed", "Packed", "str"]
    assert _writers(packed, tmp_path) == want


def test_packed_text_is_smaller() -> None:
    e = {"location": "a/", "title": "A", "text": LONG}
    searchpack.pack([e])
    assert len(e["text"].data) < len(LONG) // 4
    assert str(e["text"]) == LONG


def test_only_materials_search_is_packed() -> None:
    """MkDocs' own search plugin writes with plain json.dumps: its entries are never packed."""
    from mkdocs.contrib.search import SearchPlugin as MkdocsSearch

    class Config:
        plugins = {"material/search": SearchPlugin(), "search": MkdocsSearch(), "kb": object()}

    assert searchpack.packable(Config) == {"material/search"}


def test_a_parallel_build_holds_them_packed_and_writes_the_serial_bytes(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # (pytest-xdist's I/O thread: see test_parallel)
    held: list[list[Any]] = []
    real = searchpack.pack

    def pack(entries: list[Any]) -> None:
        real(entries)
        held.append(copy.copy(entries))

    monkeypatch.setattr(searchpack, "pack", pack)
    content = ensure(tmp_path / "corpus", parallel.MIN_PAGES + 20)[0]
    serial = build(content, tmp_path / "serial", parallel=1)
    assert held == []
    par = build(content, tmp_path / "parallel", parallel=2)
    assert any(type(e["text"]) is searchpack.Packed for entries in held for e in entries)
    name = "search/search_index.json"
    assert (par.out / name).read_bytes() == (serial.out / name).read_bytes()
