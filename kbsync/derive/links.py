"""raw_links: wikilinks, embeds and Markdown links in the body, unresolved."""
from typing import Any

from ..paths import heading_anchor
from .context import Ctx


def anchor_id(anchor: str | None) -> str | None:
    if not anchor:
        return None
    return anchor if anchor.startswith("^") else heading_anchor(anchor)  # ^block ids stay as written


def derive(ctx: Ctx) -> list[dict[str, Any]]:
    out = []
    for s in ctx.scan.spans:
        if s.form not in ("wikilink", "mdlink"):
            continue
        out.append({"kind": "embed" if s.embed else "link", "target": s.target, "anchor": anchor_id(s.anchor),
                    "label": s.label, "raw": s.raw, "line": ctx.file_line(s.line), "md": s.form == "mdlink"})
    return out
