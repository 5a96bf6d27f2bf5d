"""The one `%%comment%%` masker: the core hides what the site hides (an unclosed `%%` hides the rest of the page)."""
from __future__ import annotations

import pytest

from kbsync.derive.comments import blank_comments, comment_spans
from kbsync.derive.spans import scan
from site_plugins.markdown.obsidian import strip_comments

CASES = [
    ("no comments", "plain [[A]] #tag"),
    ("inline", "a %%hidden%% b"),
    ("multi-line", "a\n%%\nhidden [[X]]\n%%\nb"),
    ("unclosed hides the rest", "a\n%% open\n[[Secret]] #hidden\n"),
    ("two", "%%a%% keep %%b%% end"),
    ("in a code span", "`%%` [[Shown]] `%%`"),
    ("in a double-tick span", "``a %% b`` after"),
    ("in a fence", "```\n%%\n```\n[[Shown]]"),
    ("tilde fence, unclosed comment after", "~~~\n%% x\n~~~\n%% [[Gone]]"),
    ("unmatched backtick", "` %%x%% y"),
    ("comment holds a backtick", "%% ` %% [[Shown]] `"),
    ("mark at the end", "text %%"),
]


@pytest.mark.parametrize("name, text", CASES, ids=[c[0] for c in CASES])
def test_core_hides_what_the_site_hides(name: str, text: str) -> None:
    kept = "".join(text[a:b] for a, b in _outside(text))
    assert kept == strip_comments(text)
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
