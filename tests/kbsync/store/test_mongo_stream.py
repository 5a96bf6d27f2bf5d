"""MongoStore's staging generation: a writer dying mid-stream leaves readers on the old generation.

Runs against mongomock-ng (a contract double) always, and a real server when KB_TEST_MONGODB_URI is set."""
from __future__ import annotations

import pytest

from kbsync.store.base import Batch, FileState
from kbsync.store.mongo import LIVE, StoreBusy
from tests.store.contract import edge, rec, seed
from tests.store.test_mongo import backend  # noqa: F401 - the fixture, per backend


@pytest.mark.parametrize("died_after", ["put", "put_edges"])
def test_a_writer_dying_mid_stream_leaves_readers_on_the_old_generation(backend, died_after: str) -> None:  # noqa: F811
    writer, reader = backend.store(), backend.store()
    seed(writer)
    before = (list(reader.entries()), list(reader.edges_from()), reader.file_states(), reader.problems())
    st = writer.stream()
    st.put([rec("z"), rec("a", title="Changed")])
    if died_after == "put_edges":
        st.put_edges({"z": [edge("z", "a")]})
    # the writer dies here: no abort, no commit
    assert reader.revision() == 1
    assert (list(reader.entries()), list(reader.edges_from()), reader.file_states(), reader.problems()) == before
    writer.db.meta.update_one({"_id": "meta"}, {"$set": {"lock.until": 0}})  # its lease expires
    successor = backend.store()
    assert successor.apply(Batch(upserts=[rec("e")])) == 2  # rolls the debris back first
    assert [r["slug"] for r in reader.entries()] == ["a", "b", "c", "d", "e"] and reader.get("a")["title"] == "A"
    assert reader.db.entries.count_documents({"_x": LIVE}) == 5
    with pytest.raises(StoreBusy):  # the dead writer, were it to wake up, can no longer commit its stream
        st.commit(Batch(replace_all=True))


def test_stream_renews_its_lease_and_keeps_a_second_writer_out(backend) -> None:  # noqa: F811
    writer = backend.store(lease_s=60)
    seed(writer)
    st = writer.stream()
    st.put([rec("z")])
    other = backend.store(busy_timeout=0.2)
    with pytest.raises(StoreBusy):
        other.apply(Batch(upserts=[rec("x")]))
    assert st.commit(Batch(replace_all=True, files=[FileState("z.md", "z", 1, 1, "hz")])) == 2
    assert other.apply(Batch(upserts=[rec("x")])) == 3  # the lease was given back by the commit
    assert sorted(r["slug"] for r in other.entries()) == ["x", "z"]
