"""The one `%%comment%%` masker: the core and the site hide the same (an unclosed `%%` hides the rest of the page)."""
from __future__ import annotations

import pytest

from kbsync.derive.comments import blank_comments, comment_spans
from kbsync.derive.spans import scan
from site_plugins.markdown.obsidian import strip_comments

CASES = [  # (name, text, what is left once comments are gone: what the site shows)
    ("no comments", "plain [[A]] #tag", "plain [[A]] #tag"),
    ("inline", "a %%hidden%% b", "a  b"),
    ("multi-line", "a\n%%\nhidden [[X]]\n%%\nb", "a\n\nb"),
    ("unclosed hides the rest", "a\n%% open\n[[Secret]] #hidden\n", "a\n"),
    ("two", "%%a%% keep %%b%% end", " keep  end"),
    ("in a code span", "`%%` [[Shown]] `%%`", "`%%` [[Shown]] `%%`"),
    ("in a double-tick span", "``a %% b`` after", "``a %% b`` after"),
    ("in a fence", "```\n%%\n```\n[[Shown]]", "```\n%%\n```\n[[Shown]]"),
    ("tilde fence, unclosed comment after", "~~~\n%% x\n~~~\n%% [[Gone]]", "~~~\n%% x\n~~~\n"),
    ("unmatched backtick", "` %%x%% y", "`  y"),
    ("comment holds a backtick", "%% ` %% [[Shown]] `", " [[Shown]] `"),
    ("mark at the end", "text %%", "text "),
]


@pytest.mark.parametrize("name, text, kept", CASES, ids=[c[0] for c in CASES])
def test_core_and_site_hide_the_same(name: str, text: str, kept: str) -> None:
    assert "".join(text[a:b] for a, b in _outside(text)) == kept
    assert strip_comments(text) == kept  # the site strips with the core's masker
    blanked = blank_comments(text)
    assert len(blanked) == len(text) and blanked.count("\n") == text.count("\n")


def _outside(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for a, b in comment_spans(text):
        out.append((pos, a))
        pos = b
    return [*out, (pos, len(text))]


@pytest.mark.parametrize("body, links, tags", [
    ("a\n%% open\n[[Secret]] #hidden\n", [], []),
    ("a %%[[Secret]]%% [[Open]] #shown", ["Open"], ["shown"]),
    ("`%%` [[Open]]", ["Open"], []),
])
def test_scan_stores_no_link_or_tag_the_site_never_shows(body: str, links: list[str], tags: list[str]) -> None:
    spans = scan(body).spans
    assert [s.target for s in spans if s.form == "wikilink"] == links
    assert [s.target for s in spans if s.form == "tag"] == tags
