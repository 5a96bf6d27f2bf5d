"""Query blocks in the built site: rendered at build time, relative links, errors visible, hidden entries absent,
`.base` files as pages, and incremental rebuilds of query pages equal to full builds."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from kbsite import Site, build

from site_plugins.config import build_site

VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "query_vault"
PAGE = """---
title: Queries
---
# Queries

```dataview
TABLE rating, author FROM #book SORT rating DESC
```

> [!note] Open tasks
> ```dataview
> TASK FROM "projects" WHERE !completed
> ```

- In a list:

    ```dataview
    LIST FROM outgoing([[]])
    ```

```dataview
LIST WHERE
```

```dataviewjs
dv.list(dv.pages().file.name)
```

````markdown
```dataview
LIST FROM #example-only
```
````

```base
filters: file.hasTag("game")
views:
  - type: cards
    order: [file.name, rating]
```

Links here: [[Dune]]. Inline: `= this.file.name` has `= length(this.file.outlinks)`2 links,
`= [[Dune]].rating` and `= nosuch(`, while in a code block it stays:

```
`= this.file.name`
```
"""
LIBRARY = """filters:
  and:
    - file.hasTag("book")
properties:
  rating:
    displayName: Score
views:
  - type: table
    name: Books
    order: [file.name, rating]
    sort:
      - property: rating
        direction: DESC
"""


def _content(base: Path) -> Path:
    content = base / "content"
    shutil.copytree(VAULT, content)
    (content / "Queries.md").write_text(PAGE, encoding="utf-8")
    (content / "Library.base").write_text(LIBRARY, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    base = tmp_path_factory.mktemp("querysite")
    return build(_content(base), base / "site")


def test_blocks_render_as_query_elements(site: Site) -> None:
    soup = site.soup("queries/")
    body = soup.select_one("article") or soup
    queries = body.select("div.kb-query")
    errors = body.select("div.kb-query-error")
    assert [q["data-rows"] for q in queries] == ["5", "3", "1", "3"]
    assert len(errors) == 2 and "DataviewJS" in errors[1].get_text()
    assert body.select_one(".admonition div.kb-query-task, .callout div.kb-query-task, blockquote div.kb-query-task") \
        or queries[1].find_parent(["div", "blockquote"]) is not None
    codes = [c.get_text() for c in body.select("code, pre")]
    assert not any("TABLE rating" in c or "dv.list" in c or "TASK FROM" in c for c in codes)
    assert any("#example-only" in c for c in codes)  # an example inside another fence stays code


def test_inline_queries(site: Site) -> None:
    body = site.soup("queries/").select_one("article")
    spans = body.select("span.kb-query-inline")
    assert [s.get_text() for s in spans] == ["Queries", "1", "8"]
    assert "Queries has 12 links" in body.get_text()  # the value, then the text that follows it
    assert len(body.select("span.kb-query-error")) == 1
    assert "`= this.file.name`" in body.select("pre")[-1].get_text()


def test_links_are_relative_and_resolve(site: Site) -> None:
    soup = site.soup("queries/")
    hrefs = [a["href"] for a in soup.select("div.kb-query a")]
    assert "../books/the-hobbit/" in hrefs
    for href in hrefs:
        target = site.resolve_href("queries/", href)
        assert target is not None and site.page(target).exists(), href


def test_base_file_is_a_page(site: Site) -> None:
    soup = site.soup("library/")
    view = soup.select_one("div.kb-query.kb-base-table")
    assert view is not None and view["data-rows"] == "5"
    assert [th.get_text() for th in view.select("th")] == ["file.name", "Score"]
    assert [a.get_text() for a in view.select("a")][:2] == ["The Hobbit", "Dune"]


def test_hidden_entries_never_in_the_site(site: Site) -> None:
    for f in site.out.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".json", ".xml"):
            assert not re.search(r"CANARY-(DRAFT|PRIVATE)", f.read_text(encoding="utf-8", errors="ignore")), f


def _queries(out: Path) -> list[str]:
    soup = BeautifulSoup((out / "queries" / "index.html").read_text(encoding="utf-8"), "html.parser")
    return [str(d) for d in soup.select("div.kb-query, div.kb-query-error")]


@pytest.mark.parametrize("edit", ["rating", "new_book", "private"])
def test_incremental_query_page_equals_full_build(edit: str, tmp_path: Path) -> None:
    content = _content(tmp_path)
    store = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    build_site(content, tmp_path / "site", store_url=store, incremental=True)
    dune = content / "books" / "Dune.md"
    if edit == "rating":
        dune.write_text(dune.read_text(encoding="utf-8").replace("rating: 8", "rating: 1"), encoding="utf-8")
    elif edit == "new_book":
        (content / "books" / "New.md").write_text("---\ntags: [book]\nrating: 5\n---\nNew.\n", encoding="utf-8")
    else:
        dune.write_text(dune.read_text(encoding="utf-8").replace("---\n", "---\nprivate: true\n", 1), encoding="utf-8")
    build_site(content, tmp_path / "site", store_url=store, incremental=True)
    build_site(content, tmp_path / "fresh", store_url=f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    incremental, full = _queries(tmp_path / "site"), _queries(tmp_path / "fresh")
    assert incremental == full
    assert ("Dune" in "".join(full)) == (edit != "private")
