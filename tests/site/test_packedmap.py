"""Discovery's fields held packed (site_plugins/packedmap.py): read back as they were, compared without unpacking."""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kbsync.testing.corpus import ensure
from site_plugins import topics
from site_plugins.index import SiteIndex, sync_and_load
from site_plugins.packedmap import PackedMap


@pytest.mark.parametrize("value, packed", [
    ({"keywords": ["squat", "東京"], "topics": [], "related": [{"slug": "a/b", "score": 0.4375}],
      "unlinked": [{"source": "c", "line": 12}]}, True),
    ([1, 2.5, None, True, ("t", "u")], True),
    ({"score": np.float64(0.5)}, False),  # marshal would write a NumPy float as its bytes: held as it is
    ({"s": {1, 2}}, False),  # a set is plain, but not a kind this map packs
    ("", True),
])
def test_values_read_back_as_they_were(value: Any, packed: bool) -> None:
    m = PackedMap.of({"x": value})
    assert m["x"] == value and type(m["x"]) is type(value) and m.get("missing") is None
    assert (type(m._raw["x"]) is bytes) == packed
    again = pickle.loads(pickle.dumps(m))  # noqa: S301 - sent between the build's processes as it is held
    assert type(again) is PackedMap and again._raw == m._raw and again == m and dict(again) == {"x": value}


def test_differs_compares_one_entry() -> None:
    a = PackedMap.of({"x": {"k": [1]}, "y": {"k": [2]}})
    b = PackedMap.of({"x": {"k": [1]}, "y": {"k": [3]}, "z": {}})
    assert [k for k in ("x", "y", "z", "w") if a.differs(b, k)] == ["y", "z"]
    assert a != b and a == PackedMap.of(dict(a)) and PackedMap.of(a) is a


def test_a_real_discoverys_fields_are_all_packed(tmp_path: Path) -> None:
    """What discovery gives is plain data: every entry's fields held as bytes, none left unpacked (the memory
    this saves a big build would otherwise quietly be lost)."""
    content, _ = ensure(tmp_path / "corpus", 60, planted=True)
    records, revision, attachments = sync_and_load(str(content), f"sqlite:///{tmp_path / 'kb.sqlite'}", sync=True)
    index = SiteIndex.from_records(records, revision, attachments)
    fields, _ = topics.site_discovery(index.public_records(), content, None)
    packed = PackedMap.of(fields)
    assert len(packed) == len(fields) > 30
    assert all(type(v) is bytes for v in packed._raw.values())
    assert dict(packed) == fields
    assert sum(len(f["related"]) for f in fields.values()) > 0  # (not a discovery that found nothing)
