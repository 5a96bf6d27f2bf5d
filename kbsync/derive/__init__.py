"""Per-entry derivation: one deriver per module, one output field each, run in this order."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..parse import Parsed
from . import blocks, headings, keywords, links, mentions, relations, tags, text, title
from .context import Ctx, Options
from .inline_fields import derive as inline_fields_derive
from .spans import BLOCK_PARSER_MAX_LINES, MAX_SPANS, scan
from .tasks import derive as tasks_derive

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
    ("tasks", tasks_derive),
    ("inline_fields", inline_fields_derive),
]


def derive(parsed: Parsed, options: Options | None = None) -> dict[str, Any]:
    """Run every deriver over one parsed file; pure, so results are cacheable by content hash."""
    ctx = Ctx(parsed=parsed, scan=scan(parsed.body), options=options or Options())
    if ctx.scan.limited:
        parsed.problem(parsed.body_line, "too_long", f"the body has {parsed.body.count(chr(10)) + 1:,} lines, over "
                       f"{BLOCK_PARSER_MAX_LINES:,}: only ``` fences count as code here (indented code, HTML "
                       "blocks and quotes are not told apart from text)", level="warning")
    if ctx.scan.dropped:
        parsed.problem(ctx.file_line(ctx.scan.masked.count("\n", 0, ctx.scan.spans[-1].start) + 1), "too_many_links",
                       f"{MAX_SPANS + ctx.scan.dropped:,} links, mentions and tags, over {MAX_SPANS:,}: "
                       f"the last {ctx.scan.dropped:,} (after this line) are not indexed", level="warning")
    for name, fn in DERIVERS:
        ctx.out[name] = fn(ctx)
    ctx.out["word_count"] = len(ctx.out["text"].split())
    return ctx.out


__all__ = ["DERIVERS", "Options", "derive"]
