"""kbsync.streamread: forked readers finish and encode each record; items come back in plan order, and a record
that cannot be finished or encoded is that file's problem, never the sync's."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kbsync.reading
from kbsync.derive import Options
from kbsync.reading import make_plan
from kbsync.store import open_store
from kbsync.store.sqlite import entry_row
from kbsync.streamread import stream_read
from kbsync.sync import load_schemas_safe, sync_content
from tests.conftest import write


@pytest.fixture
def many_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kbsync.reading, "PARALLEL_MIN", 10)  # forked readers even for a small folder


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_items_come_back_in_plan_order_whatever_the_readers(workers: int, corpus300, many_readers: None) -> None:
    root = corpus300[0]
    plan = make_plan(root, {}, True, None, {})
    parts = list(stream_read(plan, 1 << 20, Options(), load_schemas_safe(root), {}, entry_row, None, workers))
    items = [item for part in parts for item in part]
    assert [i[0] for i in items] == plan.read == sorted(plan.read)
    assert len(parts) > 1
    good = [i for i in items if i[2] is not None]
    assert good and all(i[5][0] == i[2][0] and i[5][1] == i[0] for i in good)  # encoded row: slug, path
    assert all(i[5] is None and i[4] for i in items if i[2] is None)  # unreadable: no row, a problem


class OddStore:
    """A store whose stream cannot encode one record (as an adapter might choke on one odd value)."""

    def __init__(self, inner: Any, bad_path: str) -> None:
        self.inner, self.bad_path = inner, bad_path

    def stream(self) -> Any:
        inner, bad = self.inner.stream(), self.bad_path

        class Odd:
            def encode(self, rec: dict[str, Any]) -> Any:
                if rec["path"] == bad:
                    raise ValueError("cannot store this value")
                return inner.encode(rec)

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)
        return Odd()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_record_that_cannot_be_encoded_is_one_file_problem(workers: int, tmp_path: Path, many_readers: None) -> None:
    files = {f"n{i:02}.md": f"note {i} [[n{(i + 1) % 30:02}]]\n" for i in range(30)}
    content = write(tmp_path / "c", files)
    store = open_store(f"sqlite://{tmp_path / 's.sqlite'}")
    report = sync_content(content, OddStore(store, "n07.md"), workers=workers)
    assert report.added == 29 and report.errors == 1
    assert [(p["path"], p["line"], p["code"]) for p in report.problems] == [("n07.md", 0, "internal")]
    assert "cannot store this value" in report.problems[0]["message"]
    assert store.get("n07") is None and store.get("n08")["title"] == "n08"
    assert [x["target"] for x in store.get("n06")["links"]] == [None]  # n07 is not indexed: its link dangles
