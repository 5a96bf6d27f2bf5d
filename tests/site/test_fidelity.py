"""Obsidian fidelity: a small vault of each construct, and the real Tasks vault, built and read as HTML."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from kbsite import Site, build

NOTES = {
    "Squat.md": "# Squat\n\nDrive up. ^drive\n\n- item one ^item1\n- item two\n\n## Form\n\nKeep the back straight.\n",
    "Other.md": ("# Other\n\nSee [[Squat#^drive]], [[Squat#Form]], [[Squat#^nope]], [[Squat#Nope]] and "
                 "[[#Missing here]].\n\n![[Squat#^item1]]\n\n- [/] half done\n- [-] cancelled\n- [x] done\n"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    base = tmp_path_factory.mktemp("fidelity")
    for name, text in NOTES.items():
        (base / "content").mkdir(exist_ok=True)
        (base / "content" / name).write_text(text, encoding="utf-8")
    return build(base / "content", base / "site")


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
