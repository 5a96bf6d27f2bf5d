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
    assert '<div class="admonition warning" data-callout="warning">' in html and "<strong>bold</strong>" in html
    assert '<details class="tip" data-callout="tip">' in html


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


FOOTNOTES = [  # markdown, footnote texts in order
    ("a ^[one] b", ["one"]),
    ("a ^[one] b ^[two]", ["one", "two"]),
    ("a ^[with [nested] brackets]", ["with [nested] brackets"]),
    ("> [!note]\n> in a callout ^[inside]", ["inside"]),
    ("a ^[note] and [^1]\n\n[^1]: classic", ["note", "classic"]),
]


@pytest.mark.parametrize(("src", "notes"), FOOTNOTES)
def test_inline_footnotes(src: str, notes: list[str]) -> None:
    html = _md(src, MD_EXTS + ["footnotes", "site_plugins.markdown.footnotes"])
    soup = BeautifulSoup(html, "html.parser")
    got = [li.get_text(" ", strip=True).replace("\u21a9", "").strip() for li in soup.select("div.footnote li")]
    assert sorted(got) == sorted(notes) and "^[" not in soup.get_text()
    assert len(soup.select("sup a.footnote-ref")) == len(notes)


@pytest.mark.parametrize("src", ["`a ^[no]`", "```\n^[no]\n```", "a ^[unclosed", "a ^[split\n\nparagraph]"])
def test_not_inline_footnotes(src: str) -> None:
    html = _md(src, MD_EXTS + ["footnotes", "site_plugins.markdown.footnotes"])
    assert "footnote" not in html and "^[" in html


def _vault(tmp_path, files: dict[str, str]):
    from site_plugins.vault import read_vault

    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return read_vault(tmp_path)


LINE_BREAKS = [  # vault files, plugin option, nl2br on
    ({}, None, True),  # not a vault: Obsidian's default
    ({".obsidian/app.json": "{}"}, None, True),
    ({".obsidian/app.json": '{"strictLineBreaks": true}'}, None, False),
    ({".obsidian/app.json": '{"strictLineBreaks": false}'}, None, True),
    ({".obsidian/app.json": '{"strictLineBreaks": true}'}, False, True),  # the option wins
    ({}, True, False),
    ({".obsidian/app.json": "{not json"}, None, True),  # a warning, then the defaults
]


@pytest.mark.parametrize(("files", "option", "nl2br"), LINE_BREAKS)
def test_line_breaks_follow_the_vault(tmp_path, files: dict[str, str], option: bool | None, nl2br: bool) -> None:
    from site_plugins.config import markdown_extensions

    _vault(tmp_path, files)
    exts = markdown_extensions(tmp_path, option)
    assert ("nl2br" in exts) is nl2br
    html = markdown.markdown("drive up.\nMore squat text.", extensions=list(exts))
    assert ("<br />" in html) is nl2br


def test_bad_vault_json_warns_with_path_line(tmp_path, caplog) -> None:
    _vault(tmp_path, {".obsidian/app.json": '{\n  "strictLineBreaks": tru\n}'})
    assert any("app.json:2: invalid JSON" in r.getMessage() for r in caplog.records)


VAULTS = [  # files, templates, css file names
    ({".obsidian/templates.json": '{"folder": "_meta/templates"}'}, ["_meta/templates"], []),
    ({".obsidian/plugins/templater-obsidian/data.json": '{"templates_folder": "Tpl/"}'}, ["Tpl"], []),
    ({"publish.css": "x", ".obsidian/appearance.json": '{"enabledCssSnippets": ["a", "missing"]}',
      ".obsidian/snippets/a.css": "y", ".obsidian/snippets/off.css": "z"}, [], ["publish.css", "a.css"]),
    ({}, [], []),
]


@pytest.mark.parametrize(("files", "templates", "css"), VAULTS)
def test_read_vault(tmp_path, files: dict[str, str], templates: list[str], css: list[str]) -> None:
    v = _vault(tmp_path, files)
    assert v.templates == templates and [p.name for p in v.css] == css


RENDERED_CALLOUTS = [  # markdown, (tag, data-callout), text inside the box, text after it
    ("> [!released]\nIntroduced in 1.23.0.\n\nafter", ("div", "released"), "Introduced in 1.23.0.", "after"),
    ("> [!note] T\n> a\nlazy line\n\nafter", ("div", "note"), "lazy line", "after"),
    ("> [!warning]- Careful\n>  ```md\n>  - [/] not a task\n>  ```\n\nafter", ("details", "warning"),
     "- [/] not a task", "after"),
    ("> [!info]- Q\n> text\n>\n> ```text\n> short mode\n> ```", ("details", "info"), "short mode", ""),
    ("> [!tip]\n> body\n- list after", ("div", "tip"), "body", "list after"),
]


@pytest.mark.parametrize(("src", "box", "inside", "after"), RENDERED_CALLOUTS)
def test_callouts_keep_their_text_inside(src: str, box: tuple[str, str], inside: str, after: str) -> None:
    soup = BeautifulSoup(_md(src), "html.parser")
    el = soup.find(box[0], attrs={"data-callout": box[1]})
    assert el is not None and inside in el.get_text()
    assert "[!" not in soup.get_text()
    if "```" in src:
        assert inside in el.find("code").get_text() and "```" not in el.get_text()
    if after:
        assert after not in el.get_text() and after in soup.get_text()


def test_vault_callout_css_becomes_admonition_css() -> None:
    from site_plugins.vault import callout_css

    css = callout_css('.callout[data-callout="released"] {\n  --callout-color: 0, 200, 83;\n}\n'
                      ".callout[data-callout='x'] { --callout-icon: lucide-x; }")
    assert ".md-typeset .admonition.released" in css and "rgb(0,200,83)" in css and ".x" not in css


EXCLUDED = [  # vault files, exclude option, paths, excluded
    ({}, [], ["_meta/templates/a.md", "Templates/b.md", "notes/c.md"], {"_meta/templates/a.md", "Templates/b.md"}),
    ({".obsidian/templates.json": '{"folder": "Tpl"}'}, [], ["Tpl/a.md", "templates/b.md"], {"Tpl/a.md"}),
    ({}, ["Private/"], ["Private/x/a.md", "Privateer.md", "b.md"], {"Private/x/a.md"}),
    ({}, ["*.excalidraw.md"], ["d/x.excalidraw.md", "x.md"], {"d/x.excalidraw.md"}),
    ({}, [], ["my templates note.md"], set()),
]


@pytest.mark.parametrize(("files", "patterns", "paths", "expected"), EXCLUDED)
def test_excluded_paths(tmp_path, files: dict[str, str], patterns: list[str], paths: list[str], expected: set) -> None:
    from site_plugins.vault import excluded_paths

    assert excluded_paths(paths, _vault(tmp_path, files), patterns) == expected
