"""Per-entry derivation: one deriver per module, one output field each, run in this order."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..parse import Parsed
from . import blocks, headings, keywords, links, mentions, relations, tags, text, title
from .context import Ctx, Options
from .spans import scan

# (output field, deriver). Later derivers may read earlier outputs from ctx.out.
DERIVERS: list[tuple[str, Callable[[Ctx], Any]]] = [
    ("title", title.derive),
    ("tags", tags.derive),
    ("headings", headings.derive),
    ("blocks", blocks.derive),
    ("raw_links", links.derive),
    ("raw_mentions", mentions.derive),
    ("raw_relations", relations.derive),
    ("text", text.derive),
    ("keywords", keywords.derive),
]


def derive(parsed: Parsed, options: Options | None = None) -> dict[str, Any]:
    """Run every deriver over one parsed file; pure, so results are cacheable by content hash."""
    ctx = Ctx(parsed=parsed, scan=scan(parsed.body), options=options or Options())
    for name, fn in DERIVERS:
        ctx.out[name] = fn(ctx)
    ctx.out["word_count"] = len(ctx.out["text"].split())
    return ctx.out


__all__ = ["DERIVERS", "Options", "derive"]
