"""Incremental (dirty) rebuilds re-render only the pages an edit affects, and never keep hidden pages."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from kbsite import GEN

from kbsync.paths import slugify
from site_plugins.config import build_site


def _built(base: Path, **options: bool) -> tuple[Path, Path, str]:
    """60 generated entries built once into `base/site`."""
    subprocess.run([sys.executable, str(GEN), str(base), "--entries", "60", "--seed", "3"], check=True,
                   capture_output=True)
    store = f"sqlite:///{base / 'kb.sqlite'}"
    build_site(base / "content", base / "site", store_url=store, incremental=True, **options)
    return base / "content", base / "site", store


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    return _built(tmp_path_factory.mktemp("incr"))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The same site without the discovery panels, whose related scores move on every page when the corpus does."""
    return _built(tmp_path_factory.mktemp("incr-plain"), discovery=False)


_VOLATILE = re.compile(r'<meta name="generator"[^>]*>|\b\d{4}-\d{2}-\d{2}T[\d:.+-]+\b')


def _mtimes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("*.html")}


def test_edit_rerenders_only_affected_pages(small: tuple[Path, Path, str]) -> None:
    content, site, store = small
    before = _mtimes(site)
    victim = next(p for p in sorted(content.rglob("*.md"))
                  if "draft: true" not in p.read_text() and "private: true" not in p.read_text()
                  and "/people/" not in str(p) and "/documents/" not in str(p))
    victim.write_text(victim.read_text(encoding="utf-8") + "\nA fresh sentence.\n", encoding="utf-8")
    build_site(content, site, store_url=store, incremental=True)
    after = _mtimes(site)
    page = f"{slugify(str(victim.relative_to(content)))}/index.html"
    assert "A fresh sentence." in (site / page).read_text(encoding="utf-8")
    changed = [p for p in after if after[p] != before.get(p)]
    assert page in changed
    assert len(changed) <= 5, changed  # not the whole site


def test_entry_turned_private_disappears(small: tuple[Path, Path, str]) -> None:
    content, site, store = small
    victim = next(p for p in sorted(content.rglob("*.md"))
                  if "draft: true" not in p.read_text() and "private: true" not in p.read_text()
                  and "/people/" not in str(p) and "/documents/" not in str(p))
    slug = slugify(str(victim.relative_to(content)))
    assert (site / slug / "index.html").exists()
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("---\n", "---\nprivate: true\n", 1) + "\nSECRET-INCREMENTAL-CANARY\n",
                      encoding="utf-8")
    build_site(content, site, store_url=store, incremental=True)
    assert not (site / slug / "index.html").exists()
    for f in site.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".json", ".xml"):
            data = f.read_text(encoding="utf-8", errors="ignore")
            assert "SECRET-INCREMENTAL-CANARY" not in data, f
            assert f'"{slug}/' not in data, f  # no page, graph node, sitemap or search entry


# An edit that adds a tag page or hides an entry changes no nav (config.nav lists types, not tags or entries):
# only the pages that show the entry are re-rendered, not every page.
NAV_FREE = [("new tag", lambda t: t.replace("---\n", "---\ntags: [zq-brand-new-tag]\n", 1)
             if "\ntags:" not in t.split("\n---\n")[0] else
             __import__("re").sub(r"(?m)^tags:.*$", "tags: [zq-brand-new-tag]", t, count=1)),
            ("hidden", lambda t: t.replace("---\n", "---\ndraft: true\n", 1))]


@pytest.mark.parametrize("discovery", [False, True], ids=["plain", "discovery"])
@pytest.mark.parametrize("edit", [e[1] for e in NAV_FREE], ids=[e[0] for e in NAV_FREE])
def test_edits_that_leave_the_nav_alone_rerender_few_pages(plain: tuple[Path, Path, str],
                                                           small: tuple[Path, Path, str], edit, discovery: bool) -> None:
    content, site, store = small if discovery else plain
    before = _mtimes(site)
    old = {p: (site / p).read_text(encoding="utf-8") for p in before}
    victim = [p for p in sorted(content.rglob("*.md"))
              if p.read_text().startswith("---\n") and "draft: true" not in p.read_text()
              and "private: true" not in p.read_text() and "/people/" not in str(p) and "/documents/" not in str(p)][-1]
    victim.write_text(edit(victim.read_text(encoding="utf-8")), encoding="utf-8")
    build_site(content, site, store_url=store, incremental=True, discovery=discovery)
    after = _mtimes(site)
    changed = [p for p in after if after[p] != before.get(p)]
    print(f"{len(changed)} of {len(after)} pages re-rendered")
    assert changed
    if not discovery:
        assert len(changed) <= len(after) // 4, changed  # not the whole site
    # With discovery panels, hiding an entry moves related lists on many pages of a small corpus (every IDF moves):
    # those pages must be re-rendered. The render key holds what a page shows, as shown, so no other page is.
    same = [p for p in changed if p in old and _VOLATILE.sub("", old[p]) == _VOLATILE.sub(
        "", (site / p).read_text(encoding="utf-8"))]
    print(f"{len(same)} re-rendered pages came out unchanged: {same[:10]}")
    assert len(same) <= 3, same


# (what happens to the entry the embedded body links to, what the embedding page must then show)
EMBED_CASES = [("deleted", lambda p: p.unlink(), "kb-broken"),
               ("retitled", lambda p: p.write_text("---\ntitle: Zq Renamed Target\n---\nBody.\n", encoding="utf-8"),
                "Zq Renamed Target")]


@pytest.mark.parametrize(("change", "expect"), [(c[1], c[2]) for c in EMBED_CASES], ids=[c[0] for c in EMBED_CASES])
def test_a_page_embedding_an_entry_follows_the_embedded_links(tmp_path: Path, change, expect: str) -> None:
    """Regression (parity at 1,000 entries): A embeds B, B links C; C changes, B's own source does not."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("---\ntitle: A\n---\nBefore\n\n![[B]]\n", encoding="utf-8")
    (content / "b.md").write_text("---\ntitle: B\n---\nB links [[C]] here.\n", encoding="utf-8")
    (content / "c.md").write_text("---\ntitle: C\n---\nC body.\n", encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    build_site(content, tmp_path / "site", store_url=store, incremental=True)
    change(content / "c.md")
    build_site(content, tmp_path / "site", store_url=store, incremental=True)
    embedded = (tmp_path / "site" / "a" / "index.html").read_text(encoding="utf-8").split("Before", 1)[1]
    assert expect in embedded


@pytest.mark.parametrize("change", ["retitled", "hidden", "retyped", "deleted", "added"])
def test_faces_refreshed_in_place_equal_fresh_ones(change: str) -> None:
    """An edit brings the faces pages show of entries up to date for the entries it touched, not over every one."""
    from site_plugins.incremental import refresh_faces
    from site_plugins.index import SiteIndex

    index = SiteIndex.from_records([{"slug": f"e{i}", "path": f"e{i}.md", "title": f"E{i}", "type": "note",
                                     "visibility": "public"} for i in range(20)])
    assert index.faces["e3"][1] == "E3"
    r = index.records["e3"]
    if change == "deleted":
        del index.records["e3"]
    elif change == "added":
        index.records["new"] = {**r, "slug": "new", "path": "new.md"}
    else:
        index.records["e3"] = {**r, **{"retitled": {"title": "Z"}, "hidden": {"visibility": "draft"},
                                       "retyped": {"type": "book"}}[change]}
    refresh_faces(index, ["e3", "new"])
    assert index.faces == type(index).faces.func(index)
