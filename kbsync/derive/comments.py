"""Obsidian `%%comments%%`: the one masker (inline or multi-line; an unclosed `%%` hides the rest), never in code."""
from __future__ import annotations

import re

# what the scan stops at: a fence opening a line, a backtick run, a comment mark
_TOKEN = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*|`+|%%", re.M)


def comment_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every comment, marks included, left to right as Obsidian reads them: inside a fenced
    block or a code span `%%` is text; a comment without its closing `%%` runs to the end of the page."""
    if "%%" not in text:
        return []
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while (m := _TOKEN.search(text, i)) is not None:
        tok = m.group(0)
        if m.group(1):  # a fenced block: skip to its closing fence line (or the end)
            fence = m.group(1)
            close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M).search(text, m.end())
            i = close.end() if close else n
        elif tok == "%%":
            j = text.find("%%", m.end())
            i = n if j < 0 else j + 2
            out.append((m.start(), i))
        else:  # a code span closes at the next run of the same length; an unmatched run is plain text
            j = text.find(tok, m.end())
            while j >= 0 and text[j + len(tok):j + len(tok) + 1] == "`":
                j = text.find(tok, j + len(tok) + 1)
            i = j + len(tok) if j >= 0 else m.end()
    return out


def blank_comments(text: str) -> str:
    """`text` with every comment replaced by spaces, newlines kept (offsets and line numbers stay put)."""
    spans = comment_spans(text)
    if not spans:
        return text
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        out.append(re.sub(r"[^\n]", " ", text[a:b]))
        pos = b
    out.append(text[pos:])
    return "".join(out)
