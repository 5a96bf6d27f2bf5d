"""Obsidian fidelity: a small vault of each construct, and the real Tasks vault, built and read as HTML."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from kbsite import Site, build

NOTES = {
    ".obsidian/app.json": '{"strictLineBreaks": false}',
    ".obsidian/templates.json": '{"folder": "_meta/templates"}',
    ".obsidian/appearance.json": '{"enabledCssSnippets": ["mine"]}',
    ".obsidian/snippets/mine.css": '.callout[data-callout="idea"] { --callout-color: 255, 200, 0; }',
    "publish.css": '.callout[data-callout="released"] {\n    --callout-color: 0, 200, 83;\n}\n',
    "_meta/templates/New note.md": "# <% tp.file.title %>\n\n[[Squat]]\n",
    "Drafts/Secret.md": "# Secret\n",
    "Notes.md": ("# Notes\n\ndrive up.\nMore squat text.\n\nA claim^[Said by a coach.] here.\n\n"
                 "> [!released]\nIntroduced in 1.0.\n\n> [!idea] Mine\n> snippet styled\n\n"
                 "> [!warning]- Careful\n>  ```md\n>  - [/] example\n>  ```\n"),
    "Squat.md": "# Squat\n\nDrive up. ^drive\n\n- item one ^item1\n- item two\n\n## Form\n\nKeep the back straight.\n",
    "Other.md": ("# Other\n\nSee [[Squat#^drive]], [[Squat#Form]], [[Squat#^nope]], [[Squat#Nope]] and "
                 "[[#Missing here]].\n\n![[Squat#^item1]]\n\n- [/] half done\n- [-] cancelled\n- [x] done\n"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    base = tmp_path_factory.mktemp("fidelity")
    for name, text in NOTES.items():
        (base / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (base / "content" / name).write_text(text, encoding="utf-8")
    return build(base / "content", base / "site", exclude=["Drafts/"])


def _main(site: Site, url: str) -> BeautifulSoup:
    return site.soup(url).select_one("article.md-content__inner") or site.soup(url)


LINKS = [  # link text on Other, expected (href or None when broken)
    ("Squat#^drive", "../squat/#^drive"),
    ("Squat › Form", "../squat/#form"),
    ("Squat › ^nope", None),
    ("Squat › Nope", None),
    ("Missing here", None),
]


@pytest.mark.parametrize(("text", "href"), LINKS)
def test_anchor_links(site: Site, text: str, href: str | None) -> None:
    main = _main(site, "other/")
    if href is None:
        assert main.find("span", class_="kb-broken", string=text) is not None
        assert any(text.split(" › ")[-1] in w for w in site.warnings)
    else:
        a = main.find("a", href=href)
        assert a is not None, main
        target = site.soup("squat/").find(id=href.split("#")[1])
        assert target is not None


def test_block_marker_hidden_and_embed_is_only_the_block(site: Site) -> None:
    squat = _main(site, "squat/")
    assert squat.find("p", id="^drive").get_text().strip() == "Drive up."
    assert "^" not in squat.get_text()
    embed = _main(site, "other/").select_one(".kb-embed")
    assert "item one" in embed.get_text() and "Drive up" not in embed.get_text() and "item two" not in embed.get_text()


@pytest.mark.parametrize(("state", "text"), [("/", "half done"), ("-", "cancelled"), ("x", "done")])
def test_task_states_on_the_site(site: Site, state: str, text: str) -> None:
    li = _main(site, "other/").find("li", attrs={"data-task": state})
    assert li is not None and text in li.get_text() and li.find("input", attrs={"data-task": state})


def test_line_breaks_footnotes_and_callouts(site: Site) -> None:
    main = _main(site, "notes/")
    para = next(p for p in main.find_all("p") if "drive up." in p.get_text())
    assert para.find("br") is not None  # the vault's app.json: a single newline is a line break
    assert main.select_one("div.footnote li").get_text(strip=True).startswith("Said by a coach.")
    assert "^[" not in main.get_text() and "[!" not in main.get_text()
    released = main.find("div", attrs={"data-callout": "released"})
    assert "Introduced in 1.0." in released.get_text()
    code = main.find("details", attrs={"data-callout": "warning"}).find("code")
    assert code is not None and "- [/] example" in code.get_text()


@pytest.mark.parametrize(("css", "needle"), [("assets/kb/vault/publish.css", "--callout-color: 0, 200, 83"),
                                             ("assets/kb/vault/snippets/mine.css", 'data-callout="idea"'),
                                             ("assets/kb/vault/callouts.css", ".md-typeset .admonition.released")])
def test_vault_css_is_published_and_linked(site: Site, css: str, needle: str) -> None:
    assert needle in (site.out / css).read_text(encoding="utf-8")
    assert site.soup("notes/").find("link", href=f"../{css}") is not None


@pytest.mark.parametrize(("url", "needle"), [("_meta/templates/new-note/", "tp.file.title"),
                                              ("drafts/secret/", ">Secret<")])
def test_templates_and_excluded_paths_are_not_published(site: Site, url: str, needle: str) -> None:
    assert not site.page(url).exists()
    assert not any(needle in f.read_text(encoding="utf-8") for f in site.html_files()), needle
