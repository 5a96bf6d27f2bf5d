"""One Markdown converter per build (sped up by site_plugins/mdfast.py) renders every page exactly as MkDocs'
converter-per-page does."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kbsite import GEN
from pygments.formatters.html import HtmlFormatter

from site_plugins import mdfast, mdreuse
from site_plugins.config import build_site

# Per-document state a reused converter must reset: footnote numbers, heading ids, abbreviations, block ids.
PAGES = {
    "one.md": "---\ntitle: One\n---\n# Same heading\n\nText[^a] and more[^b].\n\n[^a]: first\n[^b]: second\n\n"
              "## Same heading\n\n*[HTML]: Hyper Text\n\nHTML here. ^blk1\n\n- [ ] task\n- [x] done\n",
    "two.md": "---\ntitle: Two\n---\n# Same heading\n\nOther[^a] and inline^[inline note].\n\n[^a]: only one\n\n"
              "HTML without an abbreviation. ^blk1\n\n!!! note\n    admonition\n\n$$x^2$$\n",
    "three.md": "---\ntitle: Three\n---\n# Three\n\nSee [[One#Same heading]] and ![[Two]].\n",
    # the inline pass's skips and Pygments' shared style table (site_plugins/mdfast.py): off with the reuse
    "four.md": "---\ntitle: Four\n---\n# Four\n\nMath $x$ and \\(y\\), \\$5, `code $z$`, [[One]] `[[Two]]`.\n\n"
               "```python\nx = 1\n```\n\n```python linenums=\"1\"\ny = 2\n```\n",
}


def _pages(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*")
            if p.suffix in (".html", ".json") and p.name != "search_index.json"}


def test_reused_converter_renders_the_same_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess.run([sys.executable, str(GEN), str(tmp_path), "--entries", "30", "--seed", "6"], check=True,
                   capture_output=True)
    content = tmp_path / "content"
    for name, text in PAGES.items():
        (content / name).write_text(text, encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    monkeypatch.setattr(mdreuse, "ENABLED", False)
    monkeypatch.setattr(HtmlFormatter, "_create_stylesheet", mdfast._orig_stylesheet)  # as Pygments has it
    build_site(content, tmp_path / "per-page", store_url=store)
    monkeypatch.setattr(mdreuse, "ENABLED", True)
    build_site(content, tmp_path / "reused", store_url=store)
    a, b = _pages(tmp_path / "per-page"), _pages(tmp_path / "reused")
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []
    assert b"first" in b["one/index.html"] and b"only one" in b["two/index.html"]
    assert b'class="arithmatex"' in b["four/index.html"] and b'class="linenos"' in b["four/index.html"]
