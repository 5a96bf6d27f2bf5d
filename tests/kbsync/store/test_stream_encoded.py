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
