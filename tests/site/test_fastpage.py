"""Edit -> page first: the edited entry's page is re-rendered from the last build's state, before any build."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from kbsite import sync_changed

from kbsync.paths import slugify
from site_plugins.config import build_site
from site_plugins.fastpage import publish_first


@pytest.fixture(scope="module")
def built(generated_site) -> tuple[Path, Path, str]:
    return generated_site("fast", 60, 4)


def _plain(content: Path, n: int) -> Path:
    """The n-th public, ordinary entry (not a person or a document chapter) with front matter."""
    found = [p for p in sorted(content.rglob("*.md"))
             if p.read_text(encoding="utf-8").startswith("---\n") and "draft: true" not in p.read_text()
             and "private: true" not in p.read_text() and "/people/" not in str(p) and "/documents/" not in str(p)]
    return found[n]


def _edit(kind: str, text: str, mark: str) -> str:
    if kind == "body":
        return text + f"\n{mark} in the body.\n"
    if kind == "title":
        return re.sub(r"(?m)^title:.*$", f"title: {mark}", text, count=1) if "\ntitle:" in text else \
            text.replace("---\n", f"---\ntitle: {mark}\n", 1)
    if kind == "tag":
        return text.replace("---\n", f"---\ntags: [{mark.lower()}]\n", 1) if "\ntags:" not in text else \
            re.sub(r"(?m)^tags:.*$", f"tags: [{mark.lower()}]", text, count=1)
    if kind == "link":
        return text + f"\nSee [[Nowhere {mark}]] and {mark}.\n"
    if kind == "private":
        return text.replace("---\n", "---\nprivate: true\n", 1) + f"\n{mark}\n"
    raise AssertionError(kind)


# (kind of edit, is the page published ahead of the build): a page that must go (private) never is
CASES = [("body", True), ("title", True), ("tag", True), ("link", True), ("private", False)]


@pytest.mark.parametrize(("kind", "first"), CASES, ids=[c[0] for c in CASES])
def test_edited_page_is_published_before_the_build(built, kind: str, first: bool) -> None:
    content, site, store = built
    victim = _plain(content, CASES.index((kind, first)))
    slug = slugify(str(victim.relative_to(content)))
    page = site / slug / "index.html"
    mark = f"Zqfast{kind.capitalize()}"
    victim.write_text(_edit(kind, victim.read_text(encoding="utf-8"), mark), encoding="utf-8")
    changed = sync_changed(content, store)
    assert slug in changed
    t0 = time.perf_counter()
    done = publish_first(str(site), store, changed)
    took = time.perf_counter() - t0
    print(f"{kind}: edited page published in {took * 1000:.0f} ms")
    assert done == ([slug] if first else [])
    html = page.read_text(encoding="utf-8")
    assert (mark.lower() in html.lower()) == first  # the private entry's page is not re-rendered (the build removes it)
    build_site(content, site, store_url=store, incremental=True, sync=False)
    if first:
        assert mark.lower() in page.read_text(encoding="utf-8").lower()
    else:
        assert not page.exists()
    assert not list(site.rglob(".kb-*.tmp"))


def test_nothing_is_published_without_a_build_of_this_site(tmp_path: Path) -> None:
    assert publish_first(str(tmp_path / "never-built"), f"sqlite:///{tmp_path / 'x.sqlite'}", ["a"]) == []
