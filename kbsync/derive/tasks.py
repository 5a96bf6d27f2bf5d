"""tasks: task list items (`- [ ]`, `- [x]`, any other status character) with their inline fields and dates."""
from __future__ import annotations

import re
from typing import Any

from .context import Ctx
from .inline_fields import line_fields
from .spans import TAG

TASK = re.compile(r"^([ \t]*)(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]+(\S.*)$")
# The Tasks plugin's emoji dates, which Dataview also reads as task fields.
EMOJI = {"📅": "due", "✅": "completion", "⏳": "scheduled", "🛫": "start", "➕": "created"}
EMOJI_DATE = re.compile(r"(📅|✅|⏳|🛫|➕)\ufe0f?[ \t]*(\d{4}-\d{2}-\d{2})")


def derive(ctx: Ctx) -> list[dict[str, Any]]:
    masked = ctx.scan.masked
    if "[" not in masked:
        return []
    out = []
    lines = ctx.parsed.body.split("\n")
    for i, mline in enumerate(masked.split("\n")):
        if "[" not in mline:
            continue
        m = TASK.match(mline)
        if not m:
            continue
        line = lines[i]
        text = line[m.start(3):].strip()
        fields: dict[str, str] = dict(line_fields(mline[m.start(3):], line[m.start(3):]))
        for em, date in EMOJI_DATE.findall(text):
            fields.setdefault(EMOJI[em], date)
        task: dict[str, Any] = {"line": ctx.file_line(i + 1), "status": m.group(2), "text": text,
                                "indent": len(m.group(1).expandtabs(4))}
        tags = [t for t in TAG.findall(mline[m.start(3):])]
        if tags:
            task["tags"] = tags
        if fields:
            task["fields"] = fields
        out.append(task)
    return out
