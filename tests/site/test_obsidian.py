"""Table tests for callouts and comments (site_plugins.markdown.obsidian)."""
from __future__ import annotations

import markdown
import pytest

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
