"""Link rows held slotted (site_plugins/rows.py): they read, compare and pickle as the dicts they replace."""
from __future__ import annotations

import copy
import pickle
import sys
from typing import Any

import pytest

from site_plugins.compact import compact
from site_plugins.rows import Row, row

LINKS = [
    {"target": "notes/a", "kind": "link", "raw": "[[A]]", "line": 11},
    {"target": "notes/b", "kind": "link", "raw": "[[B|bee]]", "line": 15, "label": "bee"},
    {"target": None, "kind": "embed", "raw": "![[Gone]]", "line": 2},
    {"target": "files/x.pdf", "kind": "link", "raw": "[[x.pdf]]", "line": 3, "attachment": True},
    {"get": 1, "keys": 2, "items": [3]},  # keys named as the mapping's methods: still plain keys
]


@pytest.mark.parametrize("d", LINKS)
def test_a_row_reads_as_its_dict(d: dict[str, Any]) -> None:
    r = row(dict(d))
    assert isinstance(r, Row)
    assert list(r) == list(d) and list(r.items()) == list(d.items()) and len(r) == len(d)
    assert all(r[k] == v and r.get(k) == v and k in r for k, v in d.items())
    assert r.get("nope") is None and r.get("nope", 7) == 7 and "nope" not in r
    with pytest.raises(KeyError):
        r["nope"]  # noqa: B018
    assert r == d and d == r and dict(r) == d and {**r} == d and repr(r) == repr(d)
    assert r != {**d, "extra": 1} and r != {k: v for k, v in list(d.items())[1:]}
    back = pickle.loads(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 - the load sends them
    assert type(back) is type(r) and back == d and copy.deepcopy(r) == d
    assert sys.getsizeof(r) < sys.getsizeof(d) / 2


@pytest.mark.parametrize("value", [{}, {1: "int key"}, ["a list"], "text", None, {f"k{i}": i for i in range(40)}])
def test_what_is_not_a_small_string_keyed_dict_stays_as_it_is(value: Any) -> None:
    assert row(value) is value


def test_compact_keeps_the_records_links_equal() -> None:
    records = [{"slug": "s", "links": [dict(d) for d in LINKS[:4]]}, {"slug": "t", "links": []}]
    got = compact(copy.deepcopy(records))
    assert got == records and all(type(ln).__mro__[1] is Row for ln in got[0]["links"])
    assert got[0]["links"][0]["kind"] is got[0]["links"][1]["kind"]  # its strings shared, as before
    assert pickle.loads(pickle.dumps(got)) == records  # noqa: S301


def test_compact_shares_equal_heading_rows_as_rows() -> None:
    overview = {"level": 2, "text": "Overview", "anchor": "overview", "line": 13}
    records = [{"slug": s, "headings": [{"level": 1, "text": s, "anchor": s, "line": 1}, dict(overview)],
                "field_lines": dict(overview)} for s in ("a", "b")]
    got = compact(copy.deepcopy(records))
    assert got == records
    assert got[0]["headings"][1] is got[1]["headings"][1] and isinstance(got[0]["headings"][1], Row)
    assert type(got[0]["field_lines"]) is dict  # front matter line maps stay dicts
