"""blocks: Obsidian block ids (`text ^id` at a block's end, or `^id` alone after it) with their file lines."""
from __future__ import annotations

import re

from .context import Ctx
from .spans import _LineOf

BLOCK_ID = r"\^(?P<id>[A-Za-z0-9-]+)"
TRAILING = re.compile(r"(?:(?<=\s)|^)" + BLOCK_ID + r"[ \t]*\n?$")  # at the end of a block's text
ALONE = re.compile(r"^[ \t]*" + BLOCK_ID + r"[ \t]*\n?$")  # a line naming the block before it
# Starts with the literal `^` so the engine skips ahead (a leading `(?:^|[ \t])` tried every position:
# 5% of a cold sync); what may stand before it (line start, space or tab) is checked by hand.
_LINE = re.compile(BLOCK_ID + r"[ \t]*$", re.M)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_ITEM = re.compile(r"^(?P<indent>[ \t]*(?:>[ \t]?)*[ \t]*)(?:[-*+]|\d+[.)])[ \t]")


def derive(ctx: Ctx) -> list[dict[str, object]]:
    """Every block id outside code and comments, in order (a repeated id keeps its first line, as Obsidian)."""
    out: list[dict[str, object]] = []
    masked = ctx.scan.masked
    if "^" not in masked:
        return out
    seen = set()
    line_of = _LineOf(masked)
    for m in _LINE.finditer(masked):
        at = m.start()
        if at and masked[at - 1] not in " \t\n":
            continue
        bid = m.group("id")
        if bid not in seen:
            seen.add(bid)
            out.append({"id": bid, "line": ctx.file_line(line_of(at))})
    return out


def _code_lines(lines: list[str]) -> set[int]:
    fence, inside = None, set()
    for i, line in enumerate(lines):
        fm = _FENCE.match(line)
        if fence or fm:
            inside.add(i)
        if fence and line.strip().startswith(fence[0] * len(fence)) and set(line.strip()) <= {fence[0]}:
            fence = None
        elif not fence and fm:
            fence = fm.group(1)
    return inside


def block_source(body: str, bid: str) -> str | None:
    """Markdown of the block named `^bid` in `body`, its marker removed; None when no block has that id."""
    lines = body.split("\n")
    code = _code_lines(lines)
    want = re.compile(r"(?:^|[ \t])\^" + re.escape(bid) + r"[ \t]*$")
    for i, line in enumerate(lines):
        if i in code or not want.search(line):
            continue
        if ALONE.match(line):  # the block above, back to a blank line
            end = i
            while end > 0 and not lines[end - 1].strip():
                end -= 1
            start = end
            while start > 0 and lines[start - 1].strip():
                start -= 1
            return "\n".join(lines[start:end])
        stripped = want.sub("", line).rstrip()
        start = i
        if not _ITEM.match(line):  # a paragraph: back to the blank line or list item that starts it
            while start > 0 and lines[start - 1].strip() and not _ITEM.match(lines[start]):
                start -= 1
            return "\n".join(lines[start:i] + [stripped]).strip("\n")
        item = _ITEM.match(line)
        depth = len(item.group("indent"))  # type: ignore[union-attr]
        end = i + 1
        while end < len(lines) and lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) > depth:
            end += 1  # its sub-items and continuation lines
        block = [stripped, *lines[i + 1:end]]
        return "\n".join(ln[depth:] if ln[:depth].strip() == "" else ln for ln in block)
    return None
