"""Pages rendered on demand while the first build runs (site_plugins/ondemand.py): the build's bytes, nothing
hidden, nothing outside the site."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from kbsite import ROOT

from kbsync.testing.corpus import ensure
from kbsync.view.discovery import backlink_contexts
from site_plugins import discovery_later, topics
from site_plugins.ondemand import Renderer
from site_plugins.ondemand_lazy import Markers

CANARY = "ZQONDEMANDCANARY"


def _build(content: Path, out: Path, **options: object) -> tuple[Path, str]:
    from site_plugins.config import build_site

    url = f"sqlite:///{out / 'kb.sqlite'}"
    build_site(content, out / "site", store_url=url, **options)
    return out / "site", url


@pytest.fixture
def no_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topics, "_KEPT", {})  # no discovery kept from another test's build of the same folder


@pytest.mark.parametrize("name, options", [
    ("sample", {}),  # 23 entries: discovery computed in memory, so every page is the build's, panels and all
    ("corpus", {"discovery": False}),  # 300 entries (a big site's path: lazy tables, nav titles without reads)
])
def test_every_file_rendered_on_demand_is_the_builds(name: str, options: dict, tmp_path: Path, no_kept: None) -> None:
    content = ROOT / "content" if name == "sample" else ensure(tmp_path / "corpus", 300)[0]
    site, url = _build(content, tmp_path, **options)
    r = Renderer(content, url, **options)
    try:
        r.prepare()
        same, missing = [], []
        for f in sorted(p for p in site.rglob("*") if p.is_file()):
            rel = f.relative_to(site).as_posix()
            got = r.render(rel)
            if got is None:
                missing.append(rel)
            else:
                assert got == f.read_bytes(), f"{rel} differs from the build's"
                same.append(rel)
    finally:
        r.close()
    pages = [p for p in same if p.endswith("index.html")]
    assert "index.html" in same and len(pages) > (20 if name == "sample" else 300), len(pages)
    assert any(p.endswith(".json") and "/rows/" in p for p in same) or name == "sample"  # a table's rows file
    # written by the build's end (graph layout, search index, sitemap), not on demand
    left = {p for p in missing if not p.endswith(("kb-local.json", "graph.json", "graph-types.json"))}
    assert left <= {"search/search_index.json", "sitemap.xml", "sitemap.xml.gz"}, sorted(left)[:10]


def test_a_big_site_with_discovery_prepares_and_renders_its_pages(tmp_path: Path, no_kept: None) -> None:
    """300 entries, discovery on (a fresh `kb serve` at 10,000 takes this path): the renderer stands markers in for
    discovery's panels and prepares, so a first page comes before the build's (it once failed in `on_env`)."""
    content = ensure(tmp_path / "corpus", 300)[0]
    site, url = _build(content, tmp_path)
    r = Renderer(content, url)
    try:
        r.prepare()
        entry = next(p for p in sorted(site.glob("notes/*/index.html")))
        got = r.render(entry.relative_to(site).as_posix())
    finally:
        r.close()
    assert got is not None and b"<h1" in got


def test_backlink_contexts_cut_per_page_equal_the_whole_cut(tmp_path: Path) -> None:
    from site_plugins.index import SiteIndex, sync_and_load

    content, _truth = ensure(tmp_path / "corpus", 300)
    records, revision, attachments = sync_and_load(str(content), f"sqlite:///{tmp_path / 'kb.sqlite'}", sync=True)
    index = SiteIndex.from_records(records, revision, attachments)
    whole = backlink_contexts(index.public_records())
    lazy = Markers(index, str(content), None)
    assert sum(bool(v) for v in whole.values()) > 100
    for slug in sorted(index.records):
        assert lazy.of(slug)["contexts"] == {k: v for k, v in (whole.get(slug) or {}).items() if index.is_public(k[0])}
    # every field the build's stand-in has, the renderer's has too (one it lacked broke a fresh `kb serve`)
    later = discovery_later.LaterDiscovery(index, str(content), None, str(tmp_path / "r.pickle"), job=None)
    assert set(vars(later)) <= set(vars(lazy)) and not lazy.waits and lazy.poll() is None


HIDDEN = {
    "secret.md": f"---\nprivate: true\n---\n# Secret\n\n{CANARY} private body\n",
    "plan.md": f"---\ndraft: true\ntags: [{CANARY.lower()}]\n---\n# Plan\n\n{CANARY} draft body\n",
    "_templates/t.md": f"# Template\n\n{CANARY} template\n",
    "pub.md": "# Pub\n\nSee [[Secret]], [[Plan]], ![[Secret]] and @secret.\n",
    "other.md": "---\ntags: [shown]\n---\n# Other\n\nLinks [[Pub]].\n",
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renderer]:
    """A renderer over entries hiding a canary (private, draft, template) and symlinks out of the content folder."""
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    base = tmp_path_factory.mktemp("ondemand")
    content = base / "content"
    for rel, text in HIDDEN.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    (base / "outside.md").write_text(f"# Outside\n\n{CANARY}\n", encoding="utf-8")
    (base / "dir").mkdir()
    (base / "dir" / "x.md").write_text(f"# X\n\n{CANARY}\n", encoding="utf-8")
    os.symlink(base / "outside.md", content / "outside.md")
    os.symlink(base / "dir", content / "link")
    url = f"sqlite:///{base / 'kb.sqlite'}"
    store = open_store(url)
    sync_content(content, store)
    store.close()
    saved = dict(topics._KEPT)
    r = Renderer(content, url)
    try:
        r.prepare()
        yield r
    finally:
        r.close()
        topics._KEPT.clear()
        topics._KEPT.update(saved)


@pytest.mark.parametrize("path", ["secret/", "plan/", "_templates/t/", "secret/index.html", "plan/kb-preview.json",
                                  "secret/kb-preview.json", f"tags/{CANARY.lower()}/"])
def test_hidden_entries_are_not_rendered(prepared: Renderer, path: str) -> None:
    assert prepared.render(path) is None
    assert prepared.render("pub/") is not None


def test_no_file_rendered_on_demand_holds_a_canary(prepared: Renderer) -> None:
    seen = 0
    for rel in sorted({*prepared.by_path, *prepared.extra}):
        got = prepared.render(rel)
        assert got is not None, rel
        assert CANARY.encode() not in got and CANARY.lower().encode() not in got, rel
        seen += 1
    assert seen > 10


@pytest.mark.parametrize("path", ["../kb.sqlite", "..", "../content/secret.md", "/etc/passwd", "a/../../kb.sqlite",
                                  "./index.html", "pub/../../kb.sqlite", "..\\kb.sqlite", "pub\\..\\..\\x",
                                  "pub/\x00", "content/pub.md", "outside/", "outside.md", "link/", "link/x/",
                                  "pub.md", "../outside.md"])
def test_a_path_outside_the_site_is_never_answered(prepared: Renderer, path: str) -> None:
    assert prepared.render(path) is None
    assert prepared.lookup(path) is None
    assert prepared.render("pub/") is not None  # the page itself is answered
