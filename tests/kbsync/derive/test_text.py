"""text deriver: plain text for search (link labels kept, markup, HTML and comments dropped, code kept)."""
from __future__ import annotations

import pytest

from kbsync.derive.text import inline_plain

from .conftest import derived


@pytest.mark.parametrize(("body", "text"), [
    ("# Title\n\nSome **bold** and _em_ ==hi==", "Title\nSome bold and em hi"),
    ("see [[Target|label]] and [[Other#Part]]", "see label and Other Part"),
    ("a [md](N.md) b", "a md b"),
    ("- [ ] task\n> quote\n1. item", "task\nquote\nitem"),
    ("keep %% secret %% this", "keep" + " " * 14 + "this"),  # blanked in place: offsets stay
    ("<b>html</b> text", "html text"),
    ("`code` stays", "code stays"),
    ("", ""),
])
def test_text(body: str, text: str) -> None:
    assert derived(body)["text"] == text


@pytest.mark.parametrize(("raw", "plain"), [
    ("A [[T|lab]] [x](y.md) <i>z</i> **b**", "A lab x z b"), ("[[T#H]]", "T H"), ("plain", "plain"),
])
def test_inline_plain(raw: str, plain: str) -> None:
    assert inline_plain(raw) == plain
