"""headings: level, plain text, anchor id (unique per page, as MkDocs' toc makes them) and file line."""
from ..models import Heading
from ..paths import heading_anchor
from .context import Ctx
from .text import inline_plain


def derive(ctx: Ctx) -> list[Heading]:
    out: list[Heading] = []
    used: dict[str, int] = {}
    for level, raw, line0 in ctx.scan.headings:
        text = inline_plain(raw).strip()
        anchor = heading_anchor(text)
        if anchor in used:  # toc's unique(): second "Notes" becomes notes_1
            used[anchor] += 1
            anchor = f"{anchor}_{used[anchor]}"
        else:
            used[anchor] = 0
        out.append(Heading(level=level, text=text, anchor=anchor, line=ctx.file_line(line0 + 1)))
    return out
