"""The home page's recent changes: newest first, equal dates by slug, whatever the number of entries."""
from __future__ import annotations

import random
import re

import pytest

from site_plugins.home import RECENT, _recent
from site_plugins.index import SiteIndex


def _index(n: int, days: int, seed: int) -> SiteIndex:
    rng = random.Random(seed)
    recs = []
    for i in range(n):
        field = rng.choice(["updated", "date", "created", None])  # the first of these an entry has is its date
        rec = {"slug": f"e{rng.randrange(10 * n):05d}-{i}", "path": f"e{i}.md", "title": f"E {i}"}
        if field:
            rec[field] = f"2024-01-{1 + rng.randrange(days):02d}"
        recs.append(rec)
    return SiteIndex.from_records(recs)


@pytest.mark.parametrize(("n", "days"), [(0, 1), (RECENT - 1, 3), (RECENT + 1, 1), (200, 2), (200, 28), (2000, 28)],
                         ids=["empty", "fewer than shown", "all one date", "few dates", "many dates", "larger"])
def test_recent_lists_the_newest_entries_by_date_then_slug(n: int, days: int) -> None:
    index = _index(n, days, seed=n + days)

    def when(s: str) -> str:
        r = index.records[s]
        return str(r.get("updated") or r.get("date") or r.get("created") or "")[:10]

    want = sorted(sorted(index.public), key=when, reverse=True)[:RECENT]  # every entry sorted
    got = re.findall(r'href="([^"]+)/"', _recent(index))
    assert got == want
