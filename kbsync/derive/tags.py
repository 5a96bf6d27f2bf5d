"""tags: front-matter tags plus inline #tags, as written, first spelling wins, in order."""
from .context import Ctx


def derive(ctx: Ctx) -> list[str]:
    seen: dict[str, str] = {}
    inline = [s.target for s in ctx.scan.spans if s.form == "tag"]
    for tag in [*ctx.parsed.meta.get("tags", []), *inline]:
        seen.setdefault(tag.lower(), tag)  # tags are case-insensitive, as in Obsidian
    return list(seen.values())
