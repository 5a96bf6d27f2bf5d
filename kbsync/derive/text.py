"""text: the body as plain text for search (code kept, comments and markup dropped)."""
import re

from .context import Ctx
from .spans import COMMENT, WIKILINK, split_wikilink

_MDLINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_LINE_MARKERS = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[.\][ \t]+)?|\d+[.)][ \t]+)", re.M)
_HTML = re.compile(r"<[^>\n]+>")
_INLINE = str.maketrans("", "", "*_~=`")
_BLANKS = re.compile(r"[ \t]*\n\s*")


def _wiki_text(m: re.Match[str]) -> str:
    target, anchor, label = split_wikilink(m.group(1))
    return label or " ".join(x for x in (target, anchor) if x)


def inline_plain(raw: str) -> str:
    """Plain text of inline Markdown (headings, titles)."""
    if "[" in raw:
        raw = _MDLINK.sub(r"\1", WIKILINK.sub(_wiki_text, raw))
    if "<" in raw:
        raw = _HTML.sub("", raw)
    return raw.translate(_INLINE)


def derive(ctx: Ctx) -> str:
    body = ctx.parsed.body
    if "%%" in body:
        body = COMMENT.sub(" ", body)
    body = _LINE_MARKERS.sub("", inline_plain(body))
    return _BLANKS.sub("\n", body).strip()
