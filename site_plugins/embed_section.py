"""The part of an entry's body an embed `![[X#Heading]]` or `![[X#^block]]` transcludes."""
from __future__ import annotations

import re

from kbsync.derive.blocks import block_source
from kbsync.derive.links import anchor_id
from kbsync.paths import heading_anchor

from .markdown.obsidian import FENCE

ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")


def section(body: str, anchor: str | None) -> str:
    """The part of `body` under the heading whose anchor matches, down to the next heading of its level."""
    if not anchor:
        return body
    if anchor.startswith("^"):  # a block embed: that block only (kbsync.derive.blocks finds it)
        return block_source(body, anchor[1:]) or ""
    want = anchor_id(anchor)
    lines = body.split("\n")
    fence = None
    start, level = None, 0
    for i, line in enumerate(lines):
        fm = FENCE.match(line)
        if fm and not fence:
            fence = fm.group(1)
            continue
        if fence:
            if line.strip().startswith(fence):
                fence = None
            continue
        m = ATX.match(line)
        if not m:
            continue
        if start is None and heading_anchor(m.group(2)) == want:
            start, level = i, len(m.group(1))
        elif start is not None and len(m.group(1)) <= level:
            return "\n".join(lines[start:i])
    return "\n".join(lines[start:]) if start is not None else body
