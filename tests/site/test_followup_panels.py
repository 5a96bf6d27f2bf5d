"""The discovery panels' follow-up patches the panels of a page whose content did not change into its written
file instead of rendering it again; the page then equals what a full build writes."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from kbsite import sync_changed

from site_plugins.fastpage import publish_first
from site_plugins.followup import follow_up
from site_plugins.followup_discovery import settle_discovery
from site_plugins.followup_panels import patch


class _Found:
    """A discovery printing the given panels (header, unlinked, related) for every page (unlinked mentions are
    printed under the backlinks: not on these pages)."""

    def __init__(self, header: str, unlinked: str, related: str) -> None:
        self.parts = header, unlinked, related

    def header_html(self, slug: str, url: str) -> str:
        return self.parts[0]

    def unlinked_html(self, slug: str, url: str) -> str:
        return self.parts[1]

    def related_html(self, slug: str, url: str) -> str:
        return self.parts[2]


PAGE = '<h1>A</h1><div class="kb-discovery">K1</div><p>body</p><aside class="kb-side"><div class="kb-related">R1</div></aside>'
CASES = [  # (id, page written, old panels, new panels, patched page or None: a render is needed)
    ("related moved", PAGE, ('<div class="kb-discovery">K1</div>', "", '<div class="kb-related">R1</div>'),
     ('<div class="kb-discovery">K1</div>', "", '<div class="kb-related">R2</div>'),
     PAGE.replace("R1", "R2")),
    ("header and related moved", PAGE, ('<div class="kb-discovery">K1</div>', "", '<div class="kb-related">R1</div>'),
     ('<div class="kb-discovery">K2</div>', "", ""), PAGE.replace("K1", "K2").replace('<div class="kb-related">R1</div>', "")),
    ("a panel that was empty", PAGE.replace('<div class="kb-related">R1</div>', ""),
     ('<div class="kb-discovery">K1</div>', "", ""), ('<div class="kb-discovery">K1</div>', "", "R2"), None),
    ("not the page it was", PAGE.replace("R1", "R9"), ("", "", '<div class="kb-related">R1</div>'),
     ("", "", '<div class="kb-related">R2</div>'), None),
    ("shown twice", PAGE + '<div class="kb-related">R1</div>', ("", "", '<div class="kb-related">R1</div>'),
     ("", "", '<div class="kb-related">R2</div>'), None),
    ("not written", None, ("", "", "R1"), ("", "", "R2"), None),
]


@pytest.mark.parametrize(("page", "old", "new", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_panels_are_patched_only_where_they_are_found_once(tmp_path: Path, page, old, new, want) -> None:
    dest = tmp_path / "a" / "index.html"
    if page is not None:
        dest.parent.mkdir()
        dest.write_text(page, encoding="utf-8")
    plugin = SimpleNamespace(entry_files={"a.md": "a"}, config=SimpleNamespace(backlinks=False))
    f = SimpleNamespace(src_uri="a.md", url="a/", abs_dest_path=str(dest))
    assert patch(plugin, f, _Found(*old), _Found(*new)) == (want is not None)
    if page is not None:
        assert dest.read_text(encoding="utf-8") == (want if want is not None else page)


VOLATILE = re.compile(r'<meta name="generator"[^>]*>|\b\d{4}-\d{2}-\d{2}T[\d:.+-]+\b')  # as the parity test


def test_hiding_an_entry_patches_the_panels_naming_it_and_equals_a_full_build(generated_site, tmp_path) -> None:
    content, site, store = generated_site("panels", 60, 8)
    public = [p for p in sorted(content.rglob("*.md")) if p.read_text(encoding="utf-8").startswith("---\n")
              and not re.search(r"(?m)^(draft|private): true$|!\[\[|\]\(", p.read_text(encoding="utf-8"))
              and "/documents/" not in str(p)]
    patched: list[str] = []  # by the discovery panels' phase
    named: list[str] = []  # by the follow-up: pages whose panels alone named the edited entry
    texts = {p: p.read_text(encoding="utf-8") for p in public[:4]}
    edits = [(p, t.replace("\n---\n", "\ndraft: true\n---\n", 1)) for p, t in list(texts.items())[:3]]
    head, sep, body = texts[public[3]].partition("\n---\n")
    retitled = "\n".join(ln for ln in head.split("\n") if not ln.startswith("title:")) + '\ntitle: "Zqpanel"' + sep + body
    for victim, text in [*edits, (public[0], texts[public[0]]), (public[3], retitled)]:  # three hidden (related
        victim.write_text(text, encoding="utf-8")  # lists and scores move on many pages), one shown, one retitled
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        first = follow_up(str(site), store, changed)
        assert first is not None, "needed a build"
        named += first.patched
        done = settle_discovery(str(site))
        assert done is not None
        patched += done.patched
    assert patched, "no page's panels were patched"
    assert named, "the follow-up patched no page naming an edited entry"
    full = tmp_path / "full"
    code = ("import sys; from site_plugins.config import build_site; "
            "build_site(sys.argv[1], sys.argv[2], store_url=sys.argv[3], sync=False)")
    for saved in Path(store.removeprefix("sqlite:///")).parent.glob("discovery.sqlite*"):
        saved.unlink()  # the reference computes discovery, not reads it back
    subprocess.run([sys.executable, "-c", code, str(content), str(full), store], check=True, capture_output=True)
    from site_plugins.graph_site import settle

    assert settle(300)
    pages = {str(p.relative_to(site)): VOLATILE.sub("", p.read_text(encoding="utf-8"))
             for p in site.rglob("*.html")}
    ref = {str(p.relative_to(full)): VOLATILE.sub("", p.read_text(encoding="utf-8")) for p in full.rglob("*.html")}
    assert sorted(pages) == sorted(ref)
    assert [p for p in pages if pages[p] != ref[p]] == []  # the patched pages among them
