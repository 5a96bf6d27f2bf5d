"""Cold builds scale: per-page work stays bounded by the page's own size, not the corpus's (issue 16)."""
from __future__ import annotations

from pathlib import Path

import pytest
from kbsite import build

from site_plugins.index import SiteIndex


class Counted(str):
    """A slug that counts the equality checks made on it (a list membership test makes one per element)."""

    checks = 0

    def __eq__(self, other: object) -> bool:
        Counted.checks += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        Counted.checks += 1
        return str.__ne__(self, other)

    __hash__ = str.__hash__


def _hub(n: int) -> SiteIndex:
    """One entry with `n` distinct backlinks (a hub: an index page, a daily-note target), each listed twice."""
    records = [{"slug": f"s{i:06d}", "path": f"s{i:06d}.md", "title": f"S {i:06d}", "visibility": "public"}
               for i in range(n)]
    records.append({"slug": "hub", "path": "hub.md", "title": "Hub", "visibility": "public",
                    "backlinks": [{"source": Counted(f"s{i % n:06d}"), "kind": "link"} for i in range(2 * n)]})
    return SiteIndex.from_records(records)


@pytest.mark.parametrize("n", [10, 2_000])
def test_hub_backlinks_cost_linear_in_their_count(n: int) -> None:
    index = _hub(n)
    Counted.checks = 0
    assert index.backlinks("hub") == {"link": [f"s{i:06d}" for i in range(n)]}  # deduplicated, in title order
    # a few checks per backlink (set lookups, != slug); testing each against the list found so far makes n² / 2
    assert Counted.checks <= 8 * n, f"{Counted.checks} equality checks for {2 * n} backlinks"


@pytest.mark.parametrize("name", ["sample", "vault", "corpus"])
def test_nav_rendered_once_per_place_is_byte_identical(name: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from test_parallel import assert_same_site, content_of

    from site_plugins import navcache

    content = content_of(name, tmp_path)
    monkeypatch.setattr(navcache, "ENABLED", False)
    per_page = build(content, tmp_path / "per-page", parallel=1)
    monkeypatch.setattr(navcache, "ENABLED", True)
    keys: list[str | None] = []
    real = navcache.NavKeys.key
    monkeypatch.setattr(navcache.NavKeys, "key", lambda self, page: keys.append(real(self, page)) or keys[-1])
    cached = build(content, tmp_path / "cached", parallel=1)
    assert_same_site(per_page, cached)
    outside = [k for k in keys if k is not None]
    assert outside, "no page outside the nav"
    if name == "corpus":  # 300 entries in a handful of folders: a few renders serve them all
        assert len(set(outside)) * 10 < len(outside)
