"""Query blocks in Markdown: ```dataview, ```dataviewjs and ```base fences (also in lists and callouts)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

QUERY_LANGS = ("dataview", "dataviewjs", "base")
FENCE = re.compile(r"^(?P<prefix>(?:[ \t]*>)*[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
QUICK = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*(?:dataview|dataviewjs|base)\b", re.M | re.I)
INLINE = re.compile(r"(?<!`)`=[ \t]*([^`\n]+?)[ \t]*`(?!`)")  # Dataview inline query: `= this.rating`
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


@lru_cache(maxsize=1)
def _md() -> Any:
    from markdown_it import MarkdownIt

    # Block structure only: which fences are real (not inside an indented code block or another fence).
    md = MarkdownIt("commonmark")
    md.disable("inline")
    return md


def find_blocks(text: str) -> list[Block]:
    """Every query fence Markdown sees as a fence: examples inside other code blocks are skipped."""
    if not QUICK.search(text):  # most pages have no query fence: skip the Markdown parse
        return []
    lines = text.split("\n")
    out = []
    for tok in _md().parse(text):
        if tok.type != "fence" or tok.map is None:
            continue
        info = tok.info.strip()
        lang = info.split()[0].lower() if info else ""
        if lang not in QUERY_LANGS:
            continue
        start = tok.map[0]
        m = FENCE.match(lines[start])
        # map[1] is the line after the closing fence, or the end of the text for a fence never closed
        out.append(Block(lang, tok.content.rstrip("\n"), start, max(start, tok.map[1] - 1), m["prefix"] if m else ""))
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


def replace_inline(text: str, render: Callable[[str], str]) -> str:
    """Each inline query (`` `= expr` ``) outside code blocks replaced by `render(expr)`."""
    if "`=" not in text or not INLINE.search(text):
        return text
    lines = text.split("\n")
    code: set[int] = set()
    for tok in _md().parse(text):
        if tok.type in ("fence", "code_block", "html_block") and tok.map:
            code.update(range(tok.map[0], tok.map[1]))
    for i, line in enumerate(lines):
        if i not in code and "`=" in line:
            lines[i] = INLINE.sub(lambda m: render(m.group(1)), line)
    return "\n".join(lines)
