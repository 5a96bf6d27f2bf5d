"""Kept record lists are updated by bisection, as a pass over every record would update them."""
from __future__ import annotations

import pytest

from site_plugins.followup_state import replaced

RECORDS = [{"slug": s, "v": 0} for s in sorted(["a", "a/b", "b", "b-c", "é", "z"])]  # as the store lists them
CASES = [
    ("one replaced", {"b": {"slug": "b", "v": 1}}, set()),
    ("first and last", {"a": {"slug": "a", "v": 1}, "z": {"slug": "z", "v": 1}}, set()),
    ("one dropped", {}, {"b-c"}),
    ("dropped and replaced", {"a/b": {"slug": "a/b", "v": 1}}, {"a", "é"}),
    ("not listed: stays out", {"c": {"slug": "c", "v": 1}}, {"y"}),
]


@pytest.mark.parametrize(("new", "drop"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_replaced_equals_a_pass_over_every_record(new: dict, drop: set) -> None:
    before = list(RECORDS)
    got = replaced(RECORDS, new, drop)
    assert got == [new.get(r["slug"], r) for r in RECORDS if r["slug"] not in drop]
    assert RECORDS == before  # a copy: readers of the old list keep it
