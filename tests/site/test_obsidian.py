"""Table tests for callouts and comments (site_plugins.markdown.obsidian)."""
from __future__ import annotations

import markdown
import pytest
from bs4 import BeautifulSoup

from site_plugins.markdown.obsidian import convert_callouts, strip_comments

CALLOUTS = [
    ("> [!note] Title\n> body", '!!! note "Title"\n    body\n'),
    ("> [!NOTE]\n> body", "!!! note\n    body\n"),
    ("> [!Released]\n> Introduced in 1.0", "!!! released\n    Introduced in 1.0\n"),
    ("> [!tip]- Folded\n> hidden", '??? tip "Folded"\n    hidden\n'),
    ("> [!tip]+ Open\n> shown", '???+ tip "Open"\n    shown\n'),
    ("> [!info]\n> a\n>\n> b", "!!! info\n    a\n\n    b\n"),
    ("> [!note] Outer\n> > [!warning] Inner\n> > deep\n> after",
     '!!! note "Outer"\n    !!! warning "Inner"\n        deep\n\n    after\n'),
    ("text\n> [!note]\n> x", "text\n\n!!! note\n    x\n"),
    ("> plain quote\n> more", "> plain quote\n> more"),
    ("```\n> [!note] in code\n```", "```\n> [!note] in code\n```"),
    ("- item\n\n    > [!tip] In list\n    > body", '- item\n\n    ??? tip "In list"\n        body\n'.replace("??? tip", "!!! tip")),
    ('> [!my custom type] Say "hi"\n> x', '!!! my-custom-type "Say \u201dhi\u201d"\n    x\n'),
    ("> [!note]\n> ```py\n> > [!x] not a callout\n> ```", "!!! note\n    ```py\n    > [!x] not a callout\n    ```\n"),
]


@pytest.mark.parametrize(("src", "expected"), CALLOUTS)
def test_convert_callouts(src: str, expected: str) -> None:
    assert convert_callouts(src) == expected


COMMENTS = [
    ("a %%hidden%% b", "a  b"),
    ("a\n%%\nmulti\nline\n%%\nb", "a\n\nb"),
    ("keep `%%code%%` here", "keep `%%code%%` here"),
    ("```\n%%fenced%%\n```\n%%x%%", "```\n%%fenced%%\n```\n"),
    ("no comment", "no comment"),
    ("a %%unclosed\nrest", "a "),
    ("``a `%%` b`` %%c%%", "``a `%%` b`` "),
    ("%%[[Hidden Link]]%% [[Shown]]", " [[Shown]]"),
]


@pytest.mark.parametrize(("src", "expected"), COMMENTS)
def test_strip_comments(src: str, expected: str) -> None:
    assert strip_comments(src) == expected


def test_callouts_render_as_admonitions() -> None:
    html = markdown.markdown(
        "> [!warning] Careful\n> **bold**\n\n> [!tip]-\n> folded",
        extensions=["admonition", "pymdownx.details", "pymdownx.superfences", "site_plugins.markdown.obsidian"],
    )
    assert '<div class="admonition warning">' in html and "<strong>bold</strong>" in html
    assert "<details class=\"tip\">" in html


MD_EXTS = ["admonition", "pymdownx.details", "pymdownx.superfences", "site_plugins.markdown.obsidian",
           "site_plugins.markdown.tasks", "pymdownx.tasklist"]


def _md(src: str, extensions: list[str] | None = None, **configs) -> str:
    return markdown.markdown(src, extensions=extensions or MD_EXTS,
                             extension_configs={"pymdownx.tasklist": {"custom_checkbox": True}, **configs})


TASKS = [  # (markdown, state, checked)
    ("- [ ] todo", " ", False),
    ("- [x] done", "x", True),
    ("- [X] done", "X", True),
    ("- [/] half", "/", True),
    ("- [-] cancelled", "-", True),
    ("- [>] forwarded", ">", True),
    ("- [<] scheduled", "<", True),
    ("- [!] important", "!", True),
    ("- [?] question", "?", True),
    ("- [*] star", "*", True),
    ("* [i] info", "i", True),
    ("1. [/] ordered", "/", True),
    ("- [/] loose\n\n- [ ] two", "/", True),
]


@pytest.mark.parametrize(("src", "state", "checked"), TASKS)
def test_task_states_render_as_styled_checkboxes(src: str, state: str, checked: bool) -> None:
    soup = BeautifulSoup(_md(src), "html.parser")
    li = soup.find("li")
    assert li["data-task"] == state and "task-list-item" in li["class"]
    assert "task-list" in li.parent["class"]
    box = li.find("input")
    assert box["type"] == "checkbox" and box["data-task"] == state and box.has_attr("checked") is checked
    assert box.find_next_sibling("span")["class"] == ["task-list-indicator"]
    assert f"[{state}]" not in li.get_text()


NOT_TASKS = ["- [[Link]] item", "- [ab] two chars", "- [] empty", "- text [/] later", "`- [/] code`"]


@pytest.mark.parametrize("src", NOT_TASKS)
def test_not_tasks(src: str) -> None:
    assert "data-task" not in _md(src) and "checkbox" not in _md(src)


def test_task_css_styles_each_state() -> None:
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "site_plugins" / "assets" / "kb.css").read_text(encoding="utf-8")
    for state in "/->!?<":
        assert f'[data-task="{state}"]' in css


BLOCKREFS = [  # markdown, (tag, id) of the element carrying the block id
    ("Drive up. ^drive", ("p", "^drive")),
    ("line one\nline two ^two", ("p", "^two")),
    ("- one ^i1\n- two", ("li", "^i1")),
    ("- one\n    - sub ^s", ("li", "^s")),
    ("- loose ^lo\n\n- two", ("li", "^lo")),
    ("- [/] task ^t1", ("li", "^t1")),
    ("| a |\n|---|\n| 1 |\n\n^tbl", ("table", "^tbl")),
    ("- a\n- b\n\n^lst", ("ul", "^lst")),
    ("> [!note]\n> inside ^in", ("p", "^in")),
]


@pytest.mark.parametrize(("src", "where"), BLOCKREFS)
def test_block_ids_become_element_ids(src: str, where: tuple[str, str]) -> None:
    html = _md(src, MD_EXTS + ["tables", "site_plugins.markdown.blockrefs"])
    el = BeautifulSoup(html, "html.parser").find(id=where[1])
    assert el is not None and el.name == where[0], html
    assert "^" + where[1][1:] not in BeautifulSoup(html, "html.parser").get_text()  # the marker is hidden


@pytest.mark.parametrize("src", ["`x ^no`", "```\nfenced ^no\n```", "a^no", "costs 2^10"])
def test_not_block_ids(src: str) -> None:
    html = _md(src, MD_EXTS + ["site_plugins.markdown.blockrefs"])
    assert 'id="^' not in html and "^" in BeautifulSoup(html, "html.parser").get_text()
