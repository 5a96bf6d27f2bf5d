"""The public records as the early discovery process gets them (site_plugins/slimrecords.py): fewer fields, the same
discovery, the same change keys (so the state it keeps is the one a build from full records keeps)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kbsite import ROOT

from kbsync.discovery import incremental as I
from kbsync.discovery.profile import Profiles
from kbsync.store import open_store
from kbsync.sync import sync_content
from kbsync.testing.corpus import ensure
from site_plugins import slimrecords


def _records(name: str, tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    content = ROOT / "content" if name == "sample" else ensure(tmp_path / "corpus", 300, planted=True)[0]
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    try:
        sync_content(content, store)
        return content, list(store.entries())
    finally:
        store.close()


def _through_file(records: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "records.pickle"
    slimrecords.write(records, str(path))
    got = slimrecords.read(str(path))
    assert not path.exists()
    return got


@pytest.mark.parametrize("name", ["sample", "corpus"])  # CJK, documents, aliases; planted duplicates and links
def test_discovery_of_the_slim_records_equals_that_of_the_full_ones(name: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slimrecords, "CHUNK", 7)  # several chunks, the last one short
    content, full = _records(name, tmp_path)
    slim = _through_file(full, tmp_path)
    assert [r["slug"] for r in slim] == [r["slug"] for r in full]
    assert sum(len(repr(r)) for r in slim) < 0.8 * sum(len(repr(r)) for r in full)  # what it is for
    assert I.digest(slim) == I.digest(full)  # the results saved beside the store match a full build's inputs
    want = I.refresh(None, full, content, profiles=Profiles(), workers=1)
    got = I.refresh(None, slim, content, profiles=Profiles(), workers=1)
    assert got.fields() == want.fields() and got.found.topics == want.found.topics
    # the kept state a later build updates: its change keys, the names searched for, the link targets
    assert (got.keys, got.topic_in) == (want.keys, want.topic_in)
    assert got.found.unlinked.names == want.found.unlinked.names and got.found.related.targets == want.found.related.targets


@pytest.mark.parametrize("record, want", [
    ({"slug": "a", "hash": "h", "text": "t", "headings": [1], "backlinks": [2], "links": [
        {"target": "b", "kind": "wikilink", "line": 3, "raw": "[[b]]"}, {"kind": "url"}]},
     {"slug": "a", "hash": "h", "text": "t", "links": [{"target": "b", "kind": "wikilink"}, {"kind": "url"}]}),
    # no content hash: discovery's change key is made of every field, so the record goes whole
    ({"slug": "a", "text": "t", "headings": [1]}, {"slug": "a", "text": "t", "headings": [1]}),
    ({"slug": "a", "hash": "h", "links": None, "fields": {"lang": "zh"}},
     {"slug": "a", "hash": "h", "links": None, "fields": {"lang": "zh"}}),
])
def test_slim_keeps_what_discovery_reads(record: dict[str, Any], want: dict[str, Any]) -> None:
    assert slimrecords.slim(record) == want
    assert list(slimrecords.slim(record)) == list(want)  # in the record's order


def test_links_read_back_equal_and_shared(tmp_path: Path) -> None:
    """Equal links of different records come back as one dict (memory); odd links come back as they went."""
    records = [{"slug": s, "hash": s, "links": [{"target": "t", "kind": "wikilink", "line": i}, {"target": ["odd"]},
                                                "raw"]} for i, s in enumerate("abc")]
    got = _through_file(records, tmp_path)
    assert got == [slimrecords.slim(r) for r in records]
    assert got[0]["links"][0] is got[2]["links"][0] and got[0]["links"][1] is not got[2]["links"][1]
