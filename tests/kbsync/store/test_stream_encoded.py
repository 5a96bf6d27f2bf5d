"""Streams stage records made by `encode` (in forked readers) exactly as `put` stages the records themselves.

MongoDB runs on mongomock-ng, a contract double (and a real server when KB_TEST_MONGODB_URI is set)."""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from kbsync.store import open_store
from kbsync.store.base import Batch
from kbsync.store.snapshot import snapshot
from tests.store.contract import edge, rec, seed
from tests.store.test_mongo import backend  # noqa: F401 - the fixture, per backend


def _stage(store: Any, encoded: bool) -> None:
    st = store.stream()
    batches = [[rec("z", title="Old Z"), rec("y")], [rec("z", title="Zed"), rec("x", path="y.md")]]
    for records in batches:
        if encoded:  # what the readers send the writer: pickled, so it must survive a round trip
            st.put_encoded([pickle.loads(pickle.dumps(st.encode(r))) for r in records])
        else:
            st.put(records)
    st.put_edges({"z": [edge("z", "x")]})
    st.commit(Batch(replace_all=True))


def test_sqlite_encoded_rows_stage_as_records(tmp_path: Path) -> None:
    a, b = open_store(f"sqlite://{tmp_path / 'a.sqlite'}"), open_store(f"sqlite://{tmp_path / 'b.sqlite'}")
    for store, encoded in ((a, False), (b, True)):
        seed(store)
        _stage(store, encoded)
    assert snapshot(a) == snapshot(b)
    assert sorted(r["slug"] for r in b.entries()) == ["x", "z"] and b.get("z")["title"] == "Zed"


def test_mongo_encoded_documents_stage_as_records(backend) -> None:  # noqa: F811
    a, b = backend.store(), backend.store()
    seed(a)
    _stage(a, False)
    put = sorted((r["slug"], r["title"], r["path"]) for r in a.entries())
    seed(b)
    _stage(b, True)
    assert sorted((r["slug"], r["title"], r["path"]) for r in b.entries()) == put == [("x", "X", "y.md"),
                                                                                    ("z", "Zed", "z.md")]


def test_mongo_encode_refuses_a_bad_record_before_anything_is_written(backend) -> None:  # noqa: F811
    store = backend.store()
    seed(store)
    st = store.stream()
    with pytest.raises(KeyError, match="broken"):
        st.encode({"slug": "broken"})
    st.abort()
    assert [r["slug"] for r in store.entries()] == ["a", "b", "c", "d"]


def _edges_staged(store: Any, as_rows: bool) -> list[Any]:
    from kbsync.store.base import Edge
    from kbsync.store.sqlite import edge_rows

    seed(store)
    edges = {"z": [edge("z", "x"), edge("z", None, key="gone"),
                   Edge("z", "x", "embed", "![[x]]", "x", 4, "h", "L", True, ("a/x.md", "b/x.md"), "x", True)],
             "x": [edge("x", "z", "mention")]}
    st = store.stream()
    st.put([rec("z"), rec("x")])
    if as_rows:  # what the parent sends after resolving the readers' rows: pickled by nobody, plain tuples
        st.put_edge_rows(list(edge_rows(edges)))
    else:
        st.put_edges(edges)
    st.commit(Batch(replace_all=True))
    return list(store.edges_from())


def _same_edges(a: Any, b: Any) -> None:
    by_edges, by_rows = _edges_staged(a, False), _edges_staged(b, True)
    assert by_rows == by_edges and len(by_rows) == 4
    assert by_rows[-1].ambiguous == ("a/x.md", "b/x.md") and by_rows[-1].attachment and by_rows[-1].md


def test_sqlite_edge_rows_stage_as_edges(tmp_path: Path) -> None:
    _same_edges(*(open_store(f"sqlite://{tmp_path / f'{n}.sqlite'}") for n in "ab"))


def test_mongo_edge_rows_stage_as_edges(backend) -> None:  # noqa: F811
    _same_edges(backend.store(), backend.store())
