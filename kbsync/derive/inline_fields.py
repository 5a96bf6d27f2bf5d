"""inline_fields: Dataview inline fields (`key:: value` lines, `[key:: value]` and `(key:: value)` in text), raw."""
from __future__ import annotations

import re

from .context import Ctx

BRACKETED = re.compile(r"\[([^\[\]:\n]+?)::[ \t]*([^\]\n]*)\]|\(([^()\[\]:\n]+?)::[ \t]*([^)\n]*)\)")
FULL_LINE = re.compile(r"^[ \t]*(?:[-*+][ \t]+(?:\[.\][ \t]+)?|\d+[.)][ \t]+|>[ \t]*)?([^\[\]():`>\n][^\[\]():`\n]*?)::[ \t]*(.*)$")


def key_of(raw: str) -> str:
    return raw.strip().strip("*_").strip()  # `**Key**:: value` is Dataview's bold key


def line_fields(masked: str, line: str) -> list[tuple[str, str]]:
    """The fields on one body line (masked: the same line with code blanked, where nothing counts)."""
    out = []
    for m in BRACKETED.finditer(masked):
        key = m.group(1) if m.group(1) is not None else m.group(3)
        start, end = m.span(2) if m.group(1) is not None else m.span(4)
        out.append((key_of(key), line[start:end].strip()))
    # A full-line field starts its line: not after code that masking blanked (`x` and std::vector).
    if not out and "::" in masked and len(masked) - len(masked.lstrip()) == len(line) - len(line.lstrip()):
        full = FULL_LINE.match(masked)
        if full and key_of(full.group(1)):
            out.append((key_of(full.group(1)), line[full.start(2):].strip()))
    return [(k, v) for k, v in out if k]


def derive(ctx: Ctx) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {}
    masked, body = ctx.scan.masked, ctx.parsed.body
    if "::" not in masked:
        return fields
    lines = body.split("\n")
    for i, mline in enumerate(masked.split("\n")):
        if "::" not in mline:
            continue
        for key, value in line_fields(mline, lines[i] if i < len(lines) else mline):
            old = fields.get(key)
            fields[key] = value if old is None else [*(old if isinstance(old, list) else [old]), value]
    return fields
