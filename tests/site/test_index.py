"""The static typeahead index (`typeahead.json`): public names only, compact at 10,000 entries."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from kbsite import Site

from kbsync.testing.corpus import ensure
from site_plugins.index import SiteIndex, typeahead_json


def _names(data: dict) -> set[str]:
    return {n for row in data["entries"] for n in [row[0], *(row[4] if len(row) > 4 else []),
                                                   *(row[5] if len(row) > 5 else [])]}


def test_typeahead_index_holds_public_entries_only(corpus_site: Site) -> None:
    raw = (corpus_site.out / "typeahead.json").read_text(encoding="utf-8")
    assert "CANARY" not in raw
    data = json.loads(raw)
    truth = corpus_site.truth["entries"]
    public = {t["title"] for t in truth.values() if not (t["draft"] or t["private"])}
    hidden = {n for t in truth.values() if t["draft"] or t["private"] for n in [t["title"], *t["aliases"]]}
    titles = [row[0] for row in data["entries"]]
    assert set(titles) == public and len(titles) == len(public)
    assert not (hidden - public) & _names(data)  # no hidden entry's title or alias, in any field
    for row in data["entries"]:  # every URL is a page the build wrote
        assert corpus_site.page(row[1]).exists(), row


def _records(truth: dict) -> list[dict]:
    return [{"slug": p[:-3].lower().replace(" ", "-"), "path": p, "title": t["title"], "aliases": t["aliases"],
             "tags": t["tags"], "type": t["type"], "url": "/" + p[:-3].lower().replace(" ", "-") + "/",
             "visibility": "draft" if t["draft"] else "private" if t["private"] else "public",
             "links": [{"target": q[:-3].lower().replace(" ", "-"), "kind": "link"} for q in t["links"]]}
            for p, t in truth["entries"].items()]


@pytest.mark.parametrize("n", [10_000])
def test_typeahead_index_is_under_1_mb_gzipped(tmp_path: Path, n: int) -> None:
    _, truth = ensure(tmp_path / "corpus", n)
    index = SiteIndex.from_records(_records(truth))
    raw = typeahead_json(index).encode("utf-8")
    size = len(gzip.compress(raw, 9))
    print(f"typeahead.json at {n} entries: {len(raw) / 1e3:.0f} KB, {size / 1e3:.0f} KB gzipped")
    assert len(json.loads(raw)["entries"]) == len(index.public) > n * 0.8
    assert size <= 1_000_000
