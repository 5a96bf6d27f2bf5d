"""Compact records (site_plugins/compact.py): equal values shared, the same site byte for byte."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from kbsite import ROOT, VAULT, build
from test_parallel import assert_same_site

from kbsync.testing.corpus import ensure
from site_plugins import compact as compact_mod
from site_plugins import index as index_mod
from site_plugins import loadfork
from site_plugins.compact import compact, repack


def _records() -> list[dict[str, Any]]:
    """Three records linking each other, as the store's `entries()` gives them (each value a fresh object)."""
    def rec(slug: str, targets: list[str], sources: list[str]) -> dict[str, Any]:
        return {"slug": "".join(slug), "path": f"{slug}.md", "title": slug.upper(), "type": "".join("note"),
                "tags": ["".join(t) for t in ("a", "b/c")], "aliases": [], "visibility": "".join("public"),
                "links": [{"target": "".join(t), "kind": "".join("link"), "raw": f"[[{t}]]", "line": i}
                          for i, t in enumerate(targets)] + [{"target": None, "kind": "link", "raw": "[[gone]]"}],
                "backlinks": [{"source": "".join(s), "kind": "".join("link")} for s in sources]
                + [{"source": "".join(sources[0]), "kind": "mention", "extra": 1}],
                "text": f"body of {slug}", "fields": {"n": 1}, "keywords": [], "problems": [],
                "headings": [{"level": 1, "text": slug}, {"level": 2, "text": "Overview", "anchor": "overview", "line": 13}],
                "field_lines": {"title": 2, "type": 3}}

    return [rec("x/one", ["x/two", "x/three"], ["x/two", "x/three"]),
            rec("x/two", ["x/one", "x/three"], ["x/one", "x/three"]),
            rec("x/three", ["x/one", "x/two"], ["x/one", "x/two"])]


def test_compact_keeps_every_value_and_order() -> None:
    before = _records()
    assert compact(copy.deepcopy(before)) == before


@pytest.mark.parametrize("where, get", [
    ("link target = slug", lambda rs: (rs[0]["links"][0]["target"], rs[1]["slug"])),
    ("backlink source = slug", lambda rs: (rs[1]["backlinks"][0]["source"], rs[0]["slug"])),
    ("link kinds", lambda rs: (rs[0]["links"][0]["kind"], rs[2]["links"][1]["kind"])),
    ("type", lambda rs: (rs[0]["type"], rs[2]["type"])),
    ("visibility", lambda rs: (rs[0]["visibility"], rs[1]["visibility"])),
    ("tags", lambda rs: (rs[0]["tags"][1], rs[2]["tags"][1])),
    ("backlink row from x/one", lambda rs: (rs[1]["backlinks"][0], rs[2]["backlinks"][0])),
    ("equal heading rows", lambda rs: (rs[0]["headings"][1], rs[2]["headings"][1])),
    ("front matter lines", lambda rs: (rs[0]["field_lines"], rs[1]["field_lines"])),
    ("empty keywords", lambda rs: (rs[0]["keywords"], rs[2]["keywords"])),
])
def test_compact_stores_equal_values_once(where: str, get: Any) -> None:
    a, b = get(_records())
    assert a == b and a is not b  # fresh objects from the store
    a, b = get(compact(_records()))
    assert a is b, where


def test_compact_shares_only_rows_equal_in_value_and_key_order() -> None:
    rs = _records()
    rs[1]["headings"][1]["line"] = 14  # another place: its own row
    rs[2]["field_lines"] = {"type": 3, "title": 2}  # equal as dicts, not in order (front matter order shows)
    rs[2]["problems"] = [{"code": "x"}]
    got = compact(rs)
    assert got[1]["headings"][1] is not got[0]["headings"][1] and got[1]["headings"][1]["line"] == 14
    assert list(got[2]["field_lines"]) == ["type", "title"] and list(got[0]["field_lines"]) == ["title", "type"]
    assert got[2]["problems"] == [{"code": "x"}] and got[0]["problems"] == got[1]["problems"] == []
    assert len({id(r["headings"][0]) for r in got}) == 3  # each title heading its own


def test_compact_leaves_rows_other_than_source_and_kind_alone() -> None:
    rs = compact(_records())
    extra = [b for r in rs for b in r["backlinks"] if "extra" in b]
    assert len(extra) == 3 and len({id(b) for b in extra}) == 3


def test_records_from_the_store_are_compacted(tmp_path: Path) -> None:
    records, _rev, _att = index_mod.sync_and_load(str(ensure(tmp_path / "c", 60)[0]), f"sqlite:///{tmp_path / 'kb.sqlite'}",
                                                  sync=True)
    slugs = {r["slug"]: r["slug"] for r in records}
    targets = [ln["target"] for r in records for ln in r["links"] if ln.get("target") in slugs]
    assert targets and all(t is slugs[t] for t in targets)


@pytest.mark.parametrize("name", ["sample", "vault", "corpus"])
def test_site_is_byte_identical_with_and_without_compact_records(name: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    content = {"sample": ROOT / "content", "vault": VAULT}.get(name) or ensure(tmp_path / "corpus", 1000)[0]
    monkeypatch.setattr(loadfork, "can_fork", lambda option: True)  # (pytest-xdist's workers run a thread)
    compacted = build(content, tmp_path / "compacted")  # one store beside both, as in test_parallel
    monkeypatch.setattr(loadfork, "can_fork", lambda option: False)  # loaded here, as the store gives them
    monkeypatch.setattr(index_mod, "compact", list)
    assert compact_mod.compact is not index_mod.compact
    plain = build(content, tmp_path / "plain")
    assert_same_site(plain, compacted)


def test_repack_keeps_values_and_sharing_and_empties_the_input() -> None:
    rs = compact(_records())
    before = copy.deepcopy(rs)
    got = repack(rs)
    assert rs == [] and got == before
    assert got[0]["links"][0]["target"] is got[1]["slug"]
    assert got[1]["backlinks"][0] is got[2]["backlinks"][0]


def test_loaded_records_take_less_memory_than_the_store_gives_them(tmp_path: Path) -> None:
    """Compacted and repacked, 400 records hold fewer bytes than as loaded (tracemalloc: no timing, no RSS)."""
    import tracemalloc

    from kbsync.store import open_store

    content = ensure(tmp_path / "c", 400)[0]
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    index_mod.sync_and_load(str(content), url, sync=True)
    store = open_store(url)
    try:
        tracemalloc.start()
        raw = list(store.entries())
        plain = tracemalloc.get_traced_memory()[0]
        del raw
        tracemalloc.stop()
    finally:
        store.close()
    tracemalloc.start()
    records = index_mod.sync_and_load(str(content), url, sync=False)[0]
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(records) == 400 and held < 0.8 * plain


@pytest.mark.parametrize("fork, child_fails", [(True, False), (True, True), (False, False)])
def test_sync_and_load_runs_in_a_child_when_it_can(fork: bool, child_fails: bool, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync and the load leave their memory in forked children, the sync in one and the load in another (the
    load's process never holds the sync's memory too); a failed child means the step runs again in the next."""
    import os

    import kbsync.sync

    content = ensure(tmp_path / "c", 40)[0]
    pids = tmp_path / "pids"
    real = kbsync.sync.sync_content

    def sync_content(*a: Any, **k: Any) -> Any:
        with pids.open("a") as f:
            f.write(f"{os.getpid()}\n")
        if child_fails and os.getpid() != parent:
            raise RuntimeError("child broke")
        return real(*a, **k)

    loads = tmp_path / "loads"
    real_compact = index_mod.compact

    def compact(records: Any) -> Any:
        with loads.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real_compact(records)

    parent = os.getpid()
    monkeypatch.setattr(kbsync.sync, "sync_content", sync_content)
    monkeypatch.setattr(index_mod, "compact", compact)
    monkeypatch.setattr(loadfork, "can_fork", lambda option: fork)
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    records, revision, _ = index_mod.sync_and_load(str(content), url, sync=True)
    ran = [int(p) for p in pids.read_text().split()]
    loaded = [int(p) for p in loads.read_text().split()]
    # forked: the sync's child, then (it failed) the load's child syncs, then (it failed too) this process
    assert ran == ([parent] if not fork else [ran[0], ran[1], parent] if child_fails else [ran[0]])
    assert (ran[0] != parent) == fork
    assert loaded == ([parent] if not fork or child_fails else [loaded[0]])
    assert not fork or child_fails or loaded[0] not in (parent, ran[0])  # the load: a process of its own
    again = index_mod._sync_and_load(str(content), url, sync=False, dense=False)
    assert (records, revision) == (again[0], again[1]) and len(records) == 40
    slugs = {r["slug"]: r["slug"] for r in records}
    targets = [ln["target"] for r in records for ln in r["links"] if ln.get("target") in slugs]
    assert targets and all(t is slugs[t] for t in targets)  # shared strings stay shared through the file
