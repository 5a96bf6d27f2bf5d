"""The store contract: every adapter passes these. Subclass `StoreContract` and provide a `store` fixture."""
from __future__ import annotations

from typing import Any

import pytest

from kbsync.store.base import Batch, Edge, FileState


def rec(slug: str, **kw: Any) -> dict[str, Any]:
    base = {"slug": slug, "path": f"{slug}.md", "title": slug.title(), "type": "note", "tags": [], "aliases": [],
            "visibility": "public", "url": f"/{slug}/", "fields": {}, "problems": [], "hash": "h-" + slug,
            "handle": None, "listed_chapters": None, "text": "body"}
    base.update(kw)
    return base


def edge(src: str, dst: str | None, kind: str = "link", key: str | None = None, seq: int = 0) -> Edge:
    return Edge(src=src, dst=dst, kind=kind, raw=f"[[{dst}]]", key=key or (dst or "missing"), line=3, target=dst or "x",
                seq=seq)


def seed(store: Any) -> int:
    b = Batch(upserts=[rec("a", tags=["Fitness", "x/y"]), rec("b", type="exercise"), rec("c", visibility="private"),
                       rec("d", visibility="draft")],
              edges={"a": [edge("a", "b"), edge("a", None, key="nowhere")], "b": [edge("b", "a", "related")],
                     "c": [edge("c", "a")], "d": [edge("d", "a", "mention")]},
              files=[FileState("a.md", "a", 1, 10, "ha"), FileState("b.md", "b", 1, 10, "hb")],
              problems={"bad.md": [{"path": "bad.md", "line": 1, "level": "error", "code": "encoding", "message": "m"}]})
    return store.apply(b)


class StoreContract:
    """Behaviour shared by every adapter."""

    def test_new_store_is_empty_at_revision_zero(self, store: Any) -> None:
        assert store.revision() == 0
        assert list(store.entries()) == [] and store.file_states() == {} and store.problems() == {}

    def test_apply_bumps_revision_once_per_batch(self, store: Any) -> None:
        assert seed(store) == 1
        assert store.revision() == 1
        assert store.apply(Batch()) == 1  # an empty batch is no sync

    def test_file_only_batch_does_not_bump_revision(self, store: Any) -> None:
        seed(store)
        assert store.apply(Batch(files=[FileState("a.md", "a", 2, 10, "ha")])) == 1
        assert store.file_states()["a.md"].mtime_ns == 2

    def test_get_round_trips_record_with_links_and_public_backlinks(self, store: Any) -> None:
        seed(store)
        a = store.get("a")
        assert a["title"] == "A" and a["tags"] == ["Fitness", "x/y"]
        assert [(x["target"], x["kind"]) for x in a["links"]] == [("b", "link"), (None, "link")]
        # c is private and d a draft: neither shows up as a backlink anywhere
        assert a["backlinks"] == [{"source": "b", "kind": "related"}]
        assert store.get("nope") is None

    @pytest.mark.parametrize("kw, expect", [({}, ["a", "b", "c", "d"]), ({"type": "exercise"}, ["b"]),
                                            ({"tag": "fitness"}, ["a"]), ({"tag": "X/Y"}, ["a"]),
                                            ({"tag": "none"}, [])])
    def test_entries_filters(self, store: Any, kw: dict[str, str], expect: list[str]) -> None:
        seed(store)
        assert [r["slug"] for r in store.entries(**kw)] == expect

    def test_edges_queries(self, store: Any) -> None:
        seed(store)
        assert {e.src for e in store.edges_to("a")} == {"b", "c", "d"}
        assert [e.dst for e in store.edges_from(["a"])] == ["b", None]
        assert {e.src for e in store.edges_with_keys(["nowhere"])} == {"a"}

    @pytest.mark.parametrize("amb", [(), ("fr/b.md",), ("fr/b.md", "de/x/b.md", "123", "a \"q\"\n.md")])
    def test_ambiguous_candidates_round_trip(self, store: Any, amb: tuple[str, ...]) -> None:
        seed(store)
        store.apply(Batch(edges={"a": [edge("a", "b")._replace(ambiguous=amb)]}))
        assert [e.ambiguous for e in store.edges_from(["a"])] == [amb]
        link = store.get("a")["links"][0]
        assert link.get("ambiguous", []) == list(amb) and [ln.get("ambiguous", []) for ln in
                                                         next(store.entries(tag="fitness"))["links"]] == [list(amb)]

    def test_edges_are_replaced_per_source(self, store: Any) -> None:
        seed(store)
        store.apply(Batch(edges={"a": [edge("a", "c")]}))
        assert [e.dst for e in store.edges_from(["a"])] == ["c"]
        assert [e.src for e in store.edges_to("b")] == []

    def test_delete_removes_entry_and_its_edges(self, store: Any) -> None:
        seed(store)
        store.apply(Batch(deletes=["b"], forget_files=["b.md"]))
        assert store.get("b") is None and "b.md" not in store.file_states()
        assert store.get("a")["backlinks"] == []

    def test_names_are_light_rows(self, store: Any) -> None:
        seed(store)
        names = {r["slug"]: r for r in store.names()}
        assert set(names) == {"a", "b", "c", "d"}
        assert names["b"]["type"] == "exercise" and names["a"]["path"] == "a.md"

    def test_problems_set_and_clear(self, store: Any) -> None:
        seed(store)
        assert list(store.problems()) == ["bad.md"]
        store.apply(Batch(problems={"bad.md": []}))
        assert store.problems() == {}

    def test_replace_all_starts_over(self, store: Any) -> None:
        seed(store)
        rev = store.apply(Batch(replace_all=True, upserts=[rec("z")], files=[FileState("z.md", "z", 1, 1, "hz")]))
        assert rev == 2
        assert [r["slug"] for r in store.entries()] == ["z"] and list(store.file_states()) == ["z.md"]
        assert list(store.edges_from()) == [] and store.problems() == {}

    def test_failed_batch_leaves_nothing_behind(self, store: Any) -> None:
        seed(store)
        bad = Batch(upserts=[rec("e"), {"slug": "broken"}])  # second record lacks required keys
        with pytest.raises(Exception):  # noqa: B017 - any adapter error will do; the point is atomicity
            store.apply(bad)
        assert store.get("e") is None and store.revision() == 1

    def test_chapters_and_document_come_from_chapter_edges(self, store: Any) -> None:
        store.apply(Batch(upserts=[rec("doc/index"), rec("doc/one"), rec("doc/two")],
                          edges={"doc/index": [edge("doc/index", "doc/two", "chapter", seq=0),
                                               edge("doc/index", "doc/one", "chapter", seq=1)]}))
        idx = store.get("doc/index")
        assert idx["chapters"] == ["doc/two", "doc/one"] and idx["links"] == []
        assert store.get("doc/one")["document"] == "doc/index"
        assert store.get("doc/one")["backlinks"] == []

    def test_records_are_plain_and_sorted(self, store: Any) -> None:
        seed(store)
        recs = list(store.records())
        assert [r["slug"] for r in recs] == ["a", "b", "c", "d"]
        assert "backlinks" not in recs[0] and recs[0]["tags"] == ["Fitness", "x/y"]

    def test_schema_version_is_current_and_migrate_is_idempotent(self, store: Any) -> None:
        seed(store)
        v = store.schema_version()
        assert v >= 1
        assert store.migrate() is False and store.schema_version() == v
        assert store.get("a")["title"] == "A"

    def test_any_json_value_round_trips(self, store: Any) -> None:
        """Front matter may hold huge integers, unicode and nesting; records come back exactly."""
        fields = {"big": 10**30, "neg": -(2**70), "uni": "Ünïcödé 数据 🚀", "nested": {"a": [1, 2.5, None, True]}}
        store.apply(Batch(upserts=[rec("a", fields=fields, tags=["Ünï"])]))
        assert store.get("a")["fields"] == fields
        assert [r["slug"] for r in store.entries(tag="ünï")] == ["a"]

    # -- snapshot: what a read model is built from (the API's incremental reload on every adapter) -----------

    def test_snapshot_reads_everything_at_one_revision(self, store: Any) -> None:
        seed(store)
        snap = store.snapshot()
        assert snap.revision == store.revision() and not snap.delta
        recs = {r["slug"]: r for r in snap.records}
        assert set(recs) == {"a", "b", "c", "d"}  # drafts too: the reader applies the visibility rule
        assert recs["a"] == next(iter(store.records()))
        # resolved links to entries; broken links, attachments and chapter edges left out
        assert sorted(snap.edges) == [("a", "b", "link"), ("b", "a", "related"), ("c", "a", "link"),
                                      ("d", "a", "mention")]
        assert snap.hashes == {"a": "ha", "b": "hb"}

    @pytest.mark.parametrize("change, delta, records, deleted", [
        ("nothing", True, [], []),
        ("edit b", True, ["b"], []),
        ("delete b", True, [], ["b"]),
        ("too many", False, ["a", "b", "c", "d"], []),
    ])
    def test_snapshot_since_known_hashes_reads_only_what_changed(self, store: Any, change: str, delta: bool,
                                                                 records: list[str], deleted: list[str]) -> None:
        store.apply(Batch(upserts=[rec("a"), rec("b"), rec("c"), rec("d")],
                          edges={"a": [edge("a", "b")], "c": [edge("c", "a")], "d": [edge("d", "c")]},
                          files=[FileState(f"{s}.md", s, 1, 1, f"h{s}") for s in "abcd"]))
        known = store.snapshot().hashes
        if change == "edit b":
            store.apply(Batch(upserts=[rec("b", title="Bee")], files=[FileState("b.md", "b", 2, 1, "hb2")]))
        elif change == "delete b":
            store.apply(Batch(deletes=["b"], forget_files=["b.md"]))
        elif change == "too many":
            store.apply(Batch(upserts=[rec(s) for s in "abc"], files=[FileState(f"{s}.md", s, 2, 1, "x") for s in "abc"]))
        snap = store.snapshot(known, max_delta=1, live=["a", "b", "c", "d"])
        assert snap.delta is delta
        assert sorted(r["slug"] for r in snap.records) == records
        assert snap.deleted == deleted
        if delta:  # the links from the given sources and from every source linking to a changed entry
            assert snap.edges_of is not None
            assert list(snap.edges_of(["d"])) == [("a", "b", "link"), ("d", "c", "link")] if records else \
                [("d", "c", "link")]
        snap.close()

    # -- stream: a staging generation for full syncs, swapped in by one commit ------------------------------

    def _stream_new(self, store: Any) -> Any:
        """Stage z and y (z twice: the later record of a slug wins) over the seeded store; not committed."""
        st = store.stream()
        st.put([rec("z", title="Old Z"), rec("y")])
        st.put([rec("z", title="Zed")])
        st.put_edges({"z": [edge("z", "y"), edge("z", None, key="gone")], "y": [edge("y", "z", "related")]})
        return st

    def test_stream_commit_replaces_everything_at_once(self, store: Any) -> None:
        seed(store)
        st = self._stream_new(store)
        rev = st.commit(Batch(replace_all=True, files=[FileState("z.md", "z", 1, 1, "hz"),
                                                       FileState("img.png", None, 1, 1, "")],
                              problems={"w.md": [{"path": "w.md", "line": 0, "level": "error", "code": "c",
                                                  "message": "m"}], "bad.md": []}))
        assert rev == 2 and store.revision() == 2
        assert [r["slug"] for r in store.entries()] == ["y", "z"] and store.get("z")["title"] == "Zed"
        assert [(x["target"], x["kind"]) for x in store.get("z")["links"]] == [("y", "link"), (None, "link")]
        assert store.get("z")["backlinks"] == [{"source": "y", "kind": "related"}]
        assert {e.src for e in store.edges_with_keys(["gone"])} == {"z"} and store.edges_to("a") == []
        assert sorted(store.file_states()) == ["img.png", "z.md"] and list(store.problems()) == ["w.md"]
        assert {r["slug"] for r in store.names()} == {"y", "z"}

    def test_stream_is_invisible_until_commit(self, store: Any) -> None:
        seed(store)
        before = (store.revision(), [r["slug"] for r in store.entries()], sorted(store.file_states()),
                  list(store.edges_from()), store.problems())
        st = self._stream_new(store)
        assert (store.revision(), [r["slug"] for r in store.entries()], sorted(store.file_states()),
                list(store.edges_from()), store.problems()) == before
        assert store.get("z") is None and store.get("a")["backlinks"] == [{"source": "b", "kind": "related"}]
        st.abort()

    @pytest.mark.parametrize("fail", ["abort", "bad record"])
    def test_stream_that_fails_leaves_the_old_generation(self, store: Any, fail: str) -> None:
        seed(store)
        before = [r for r in store.entries()]
        st = self._stream_new(store)
        if fail == "bad record":
            with pytest.raises(Exception):  # noqa: B017 - any adapter error will do; the point is atomicity
                st.put([{"slug": "broken"}])
        st.abort()
        assert [r for r in store.entries()] == before and store.revision() == 1
        # and the store takes the next write, a batch or a stream
        assert store.apply(Batch(upserts=[rec("e")])) == 2
        st2 = store.stream()
        st2.put([rec("q")])
        assert st2.commit(Batch(replace_all=True)) == 3 and [r["slug"] for r in store.entries()] == ["q"]
