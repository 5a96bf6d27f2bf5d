"""A hand-written vault exercising every feature once: visibility of attachments and embeds, Obsidian syntax, strict."""
from __future__ import annotations

from pathlib import Path

import pytest
from kbsite import Site, build
from mkdocs.exceptions import Abort

FILES = {
    "Public.md": """---
title: Public
tags: [topic/sub]
aliases: [Pub]
rating: 5
related: ["[[Other]]"]
---
# Public

See [[Other#Second Part|the second part]], [[#Local]] and @alice. #inline-tag

![[shared.png|120]]

![[Other#Second Part]]

![[Secret]]

Also [[Secret]] and [[Nowhere]].

==marked== and a comment %%HIDDEN-INLINE%% here.

%%
HIDDEN-BLOCK
%%

> [!tip]- Folded tip
> inside
> > [!released] Nested
> > deep

- [x] done task
- [ ] open task

Footnote[^1].

[^1]: The note.

$$E = mc^2$$

```mermaid
graph LR; A-->B
```

`[[Not A Link]]`

## Local
""",
    "Other.md": "# Other\n\nFirst.\n\n## Second Part\n\nEMBEDDED-SECTION text ![[Public]]\n\n## Third\n\nNOT-EMBEDDED\n",
    "people/alice.md": "---\ntype: person\n---\n# Alice\n",
    "Secret.md": "---\nprivate: true\n---\n# Secret\n\nSECRET-CANARY ![[secret.png]] ![[shared.png]] [[Public]]\n",
    "Draft.md": "---\ndraft: true\n---\n# Draft\n\nDRAFT-CANARY [[Public]]\n",
    "shared.png": b"\x89PNG\r\n\x1a\nshared",
    "secret.png": b"\x89PNG\r\n\x1a\nsecret",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    base = tmp_path_factory.mktemp("features")
    for name, data in FILES.items():
        p = base / "content" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")
    return build(base / "content", base / "site")


def _all_bytes(site: Site) -> bytes:
    return b"".join(f.read_bytes() for f in site.out.rglob("*") if f.is_file() and f.suffix != ".gz")


def test_hidden_entries_attachments_and_embeds_never_leak(site: Site) -> None:
    data = _all_bytes(site)
    for canary in (b"SECRET-CANARY", b"DRAFT-CANARY", b"HIDDEN-INLINE", b"HIDDEN-BLOCK"):
        assert canary not in data
    assert not (site.out / "secret.png").exists()
    assert (site.out / "shared.png").exists()
    assert not site.page("secret/").exists() and not site.page("draft/").exists()
    page = site.soup("public/")
    assert not page.select('a[href*="secret"]')
    backlinks = [a.get_text() for a in page.select(".kb-backlinks a")]
    assert "Secret" not in backlinks and "Draft" not in backlinks


def test_links_embeds_and_metadata(site: Site) -> None:
    page = site.soup("public/")
    hrefs = {a["href"] for a in page.select("article a[href]")}
    assert "../other/#second-part" in hrefs and "#local" in hrefs and "../people/alice/" in hrefs
    assert "../tags/inline-tag/" in hrefs and "../tags/topic/sub/" in hrefs
    embed = page.select_one(".admonition.kb-embed")
    assert embed is not None and "EMBEDDED-SECTION" in embed.get_text() and "NOT-EMBEDDED" not in embed.get_text()
    assert page.select_one('img.kb-image[width="120"]')["src"] == "../shared.png"
    assert page.select_one("span.kb-broken").get_text() == "Nowhere"
    meta = page.select_one(".kb-meta").get_text(" ")
    assert "Pub" in meta and "rating" in meta and "5" in meta
    assert page.select_one('.kb-meta a[href="../other/"]') is not None  # typed relation
    other = site.soup("other/")
    kinds = {g["data-kind"] for g in other.select(".kb-bl-group")}
    assert {"link", "embed", "related"} <= kinds


def test_obsidian_syntax(site: Site) -> None:
    page = site.soup("public/")
    assert page.select_one("mark").get_text() == "marked"
    tip = page.select_one("details.tip")
    assert tip is not None and "Folded tip" in tip.get_text()
    assert tip.select_one(".admonition.released, details.released") is not None
    assert len(page.select("article input[type=checkbox]")) == 2
    assert page.select_one(".footnote") is not None
    assert page.select_one(".arithmatex") is not None
    assert page.select_one("pre.mermaid, div.mermaid") is not None
    assert any(c.get_text() == "[[Not A Link]]" for c in page.select("code"))


def test_tag_pages_nest(site: Site) -> None:
    assert site.page("tags/topic/").exists() and site.page("tags/topic/sub/").exists()
    parent = site.soup("tags/topic/")
    assert parent.select_one('a[href="../../public/"]') is not None


def test_broken_link_fails_strict(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "A.md").write_text("# A\n\n[[Missing]]\n", encoding="utf-8")
    with pytest.raises(Abort):
        build(tmp_path / "content", tmp_path / "site", strict=True)
