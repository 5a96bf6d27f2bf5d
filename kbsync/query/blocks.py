"""Query blocks in Markdown: ```dataview, ```dataviewjs and ```base fences (also in lists and callouts)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

QUERY_LANGS = ("dataview", "dataviewjs", "base")
FENCE = re.compile(r"^(?P<prefix>(?:[ \t]*>)*[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
JS_MESSAGE = "DataviewJS (JavaScript queries) is not supported: kb runs DQL queries only"


@dataclass(frozen=True)
class Block:
    """One fenced query: its language, text, and where it sits (0-based line indices, end inclusive)."""

    lang: str
    text: str
    start: int  # the opening fence's line
    end: int  # the closing fence's line (the last line when the fence is never closed)
    prefix: str  # what precedes the fence on its line (indentation, `>` of a blockquote or callout)

    @property
    def line(self) -> int:
        """1-based line of the query's first line (the line after the opening fence)."""
        return self.start + 2


def _strip(line: str, prefix: str) -> str:
    """Remove a blockquote/indent prefix like the opening fence's from a content line."""
    if ">" in prefix:
        for _ in range(prefix.count(">")):
            line = re.sub(r"^[ \t]*>[ \t]?", "", line, count=1)
        return line
    n = len(prefix)
    return line[n:] if line[:n].strip() == "" else line.lstrip()


def find_blocks(text: str) -> list[Block]:
    """Every top-level query fence; query-looking fences inside other code blocks (examples) are skipped."""
    if "```" not in text and "~~~" not in text:
        return []
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["info"]):
            i += 1
            continue
        prefix, fence = m["prefix"], m["fence"]
        info = m["info"].strip()
        lang = info.split()[0].lower() if info else ""
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        body = []
        while j < len(lines):
            content = _strip(lines[j], prefix)
            if close.match(content):
                break
            body.append(content)
            j += 1
        if lang in QUERY_LANGS:
            out.append(Block(lang, "\n".join(body), i, min(j, len(lines) - 1), prefix))
        i = j + 1
    return out


def replace_blocks(text: str, render: Callable[[Block], str]) -> str:
    """The text with each query block replaced by `render(block)` (one line, with the block's prefix)."""
    blocks = find_blocks(text)
    if not blocks:
        return text
    lines = text.split("\n")
    for b in reversed(blocks):
        quote = b.prefix.rstrip() if ">" in b.prefix else ""
        lines[b.start:b.end + 1] = [quote, b.prefix + render(b), quote]
    return "\n".join(lines)
