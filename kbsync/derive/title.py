"""title: front matter `title`, else the first `# H1`, else the file stem."""
from ..paths import stem_of
from .context import Ctx
from .text import inline_plain


def derive(ctx: Ctx) -> str:
    if ctx.parsed.meta.get("title"):
        return str(ctx.parsed.meta["title"])
    for level, raw, _line in ctx.scan.headings:
        if level == 1 and raw.strip():
            return inline_plain(raw).strip()
    return stem_of(ctx.parsed.path)
