"""text: the body as plain text for search (code kept, comments and markup dropped)."""
import re

from .context import Ctx
from .spans import COMMENT, WIKILINK, split_wikilink

_MDLINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_MARKUP = re.compile(r"(^|\n)\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+\[.\]\s+|[-*+]\s+|\d+[.)]\s+)|[*_~=`]+|<[^>\n]+>|^\s*\|?-{3,}.*$", re.M)


def _wiki_text(m: re.Match[str]) -> str:
    target, anchor, label = split_wikilink(m.group(2))
    return label or " ".join(x for x in (target, anchor) if x)


def inline_plain(raw: str) -> str:
    """Plain text of inline Markdown (headings, titles)."""
    raw = WIKILINK.sub(_wiki_text, raw)
    raw = _MDLINK.sub(r"\1", raw)
    return re.sub(r"[*_~=`]+|<[^>\n]+>", "", raw)


def derive(ctx: Ctx) -> str:
    body = COMMENT.sub(" ", ctx.parsed.body)
    body = WIKILINK.sub(_wiki_text, body)
    body = _MDLINK.sub(r"\1", body)
    body = _MARKUP.sub(r"\1", body)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", body)).strip()
