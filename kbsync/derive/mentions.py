"""raw_mentions: @handles in the body (resolved against people later; unknown handles are plain text)."""
from typing import Any

from .context import Ctx


def derive(ctx: Ctx) -> list[dict[str, Any]]:
    return [{"kind": "mention", "target": s.target, "raw": s.raw, "line": ctx.file_line(s.line)}
            for s in ctx.scan.spans if s.form == "mention"]
