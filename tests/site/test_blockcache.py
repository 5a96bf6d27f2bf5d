"""Material's page-independent blocks rendered once per place (site_plugins/blockcache.py): the site is
byte-identical to Material rendering every block for every page."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from test_parallel import content_of
from test_themecache import cached_once

from site_plugins import blockcache
from site_plugins.config import default_config


def _variant(tmp_path: Path, name: str) -> tuple[Path, dict[str, Path]]:
    """(content, build options) of the named variant."""
    content = content_of("sample" if name not in ("vault", "corpus") else name, tmp_path)
    if name == "assets-folder":  # entries under `assets/`: their links to Material's assets are shorter
        content = Path(shutil.copytree(content, tmp_path / "content"))
        (content / "assets" / "javascripts").mkdir(parents=True)
        (content / "assets" / "javascripts" / "Deep.md").write_text("# Deep\n\nSee [[Start Here]].\n")
        (content / "assets" / "Near.md").write_text("# Near\n")
    if name not in ("french", "extra-assets", "custom-base"):
        return content, {}
    cfg = default_config(content, site_name="Notes & <Co>")
    if name == "french":
        cfg["theme"]["language"] = "fr"
        cfg["extra"] = {"analytics": {"provider": "google", "property": "G-TEST"}}
    elif name == "extra-assets":
        cfg["extra_javascript"] = ["js/site.js", "https://example.com/x.js"]
        cfg["extra_css"] = ["css/site.css"]
    else:  # the site's own base.html: its blocks may read the page, so they are not cached
        custom = tmp_path / "theme"
        custom.mkdir()
        (custom / "base.html").write_text('{% extends "material-original/base.html" %}'
                                          '{% block config %}<!--{{ page.title }}-->{{ super() }}{% endblock %}')
        cfg["theme"]["custom_dir"] = str(custom)
    path = tmp_path / f"{name}.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return content, {"mkdocs_yml": path}


@pytest.mark.parametrize("name, cached", [
    ("sample", True),  # 23 entries in a few folders, generated pages
    ("vault", True),  # a real Obsidian vault
    ("corpus", True),  # 300 generated entries
    ("french", True),  # another language's translations, analytics on
    ("extra-assets", True),  # the site's own scripts and styles, one of them absolute
    ("assets-folder", True),  # entries whose folder starts like Material's asset paths
    ("custom-base", False),  # the site overrides base.html: every block rendered per page
])
def test_blocks_once_per_place_are_byte_identical(name: str, cached: bool, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    content, options = _variant(tmp_path, name)
    renders, pages = cached_once(blockcache, blockcache.BlockCache, content, tmp_path, monkeypatch, options)
    if not cached:
        assert renders == []
    else:
        assert renders and len(renders) == len(set(renders))  # each block rendered once per place
        assert len({k for _, k in renders}) * (10 if name == "corpus" else 2) < pages
