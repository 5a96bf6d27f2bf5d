"""headings: level, plain text, anchor id (unique per page, as MkDocs' toc makes them) and file line."""
import re

from ..models import Heading
from ..paths import heading_anchor
from .context import Ctx
from .text import inline_plain

_INTRA = re.compile(r"(?<=[^\W_])_(?=[^\W_])")


def derive(ctx: Ctx) -> list[Heading]:
    out: list[Heading] = []
    used: dict[str, int] = {}
    for level, raw, line0 in ctx.scan.headings:
        # an intraword `_` (ON_HOLD) is a literal in Markdown, not emphasis: keep it, as the rendered heading does
        text = inline_plain(_INTRA.sub("\0", raw)).replace("\0", "_").strip()
        anchor = heading_anchor(text)
        if anchor in used:  # toc's unique(): second "Notes" becomes notes_1
            used[anchor] += 1
            anchor = f"{anchor}_{used[anchor]}"
        else:
            used[anchor] = 0
        out.append(Heading(level=level, text=text, anchor=anchor, line=ctx.file_line(line0 + 1)))
    return out
