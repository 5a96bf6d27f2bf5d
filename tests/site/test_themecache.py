"""Material's header and translations rendered once per build and place (site_plugins/themecache.py):
the site is byte-identical to Material rendering them for every page."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kbsite import ROOT, build
from test_parallel import assert_same_site, content_of

from site_plugins import themecache
from site_plugins.config import default_config


def _yml(tmp_path: Path, name: str) -> dict[str, Path]:
    """A mkdocs.yml for the named variant (French, sticky tabs: the header shows the nav, so it is not cached)."""
    if name not in ("french", "sticky-tabs"):
        return {}
    cfg = default_config(ROOT / "content", site_name="Notes & <Co>")
    if name == "french":
        cfg["theme"]["language"] = "fr"
    else:
        cfg["theme"]["features"] += ["navigation.tabs", "navigation.tabs.sticky"]
    path = tmp_path / f"{name}.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return {"mkdocs_yml": path}


def cached_once(module: Any, cache: type, content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                options: dict[str, Path]) -> tuple[list[tuple[str, ...]], int]:
    """Build with `module`'s cache off, then on, and assert the two sites are byte-identical; returns what each
    `cache.keep` call kept (its arguments but the HTML) and the number of pages."""
    monkeypatch.setattr(module, "ENABLED", False)
    per_page = build(content, tmp_path / "per-page", parallel=1, **options)
    monkeypatch.setattr(module, "ENABLED", True)
    renders: list[tuple[str, ...]] = []
    real = cache.keep
    monkeypatch.setattr(cache, "keep", lambda self, *args: renders.append(args[:-1]) or real(self, *args))
    once = build(content, tmp_path / "once", parallel=1, **options)
    assert_same_site(per_page, once)
    return renders, len(list(once.out.rglob("index.html")))


@pytest.mark.parametrize("name, cached", [
    ("sample", True),  # 23 entries, generated pages, titles from front matter
    ("vault", True),  # a real Obsidian vault
    ("corpus", True),  # 300 generated entries in a handful of folders
    ("french", True),  # another language's translations, a site name that is markup
    ("sticky-tabs", False),  # the header shows the nav: rendered for every page
])
def test_header_and_translations_once_are_byte_identical(name: str, cached: bool, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    content = content_of("sample" if name in ("french", "sticky-tabs") else name, tmp_path)
    renders, pages = cached_once(themecache, themecache.HeaderCache, content, tmp_path, monkeypatch,
                                 _yml(tmp_path, name))
    if not cached:
        assert renders == []
    else:
        assert renders and len(renders) == len(set(renders))  # each place's header rendered once
        assert len(renders) * (10 if name == "corpus" else 2) < pages


@pytest.mark.parametrize("html, kept", [
    (f"<header>a{themecache.TITLE}b</header>", ("<header>a", "b</header>")),
    ("<header>no title</header>", None),  # a theme whose header does not print the title: rendered per page
    (f"<header>{themecache.TITLE}{themecache.TITLE}</header>", None),  # twice: which one is the title?
])
def test_header_kept_only_with_the_title_once(html: str, kept: tuple[str, str] | None) -> None:
    cache = themecache.HeaderCache(None)
    assert cache.keep("1/", html) == ("1/" if kept else None)
    assert cache.parts["1/"] == kept
    if kept:
        assert cache.html("1/", "T &amp; U") == f"{kept[0]}T &amp; U{kept[1]}"
