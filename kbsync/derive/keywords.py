"""keywords: YAKE key phrases of the text (no model download; YAKE ships its stopword lists)."""
from functools import lru_cache

from .context import Ctx


@lru_cache(maxsize=1)
def _extractor():  # type: ignore[no-untyped-def]
    import yake  # imported lazily: it is only needed when keywords are on

    return yake.KeywordExtractor(lan="en", n=2, top=8, dedupLim=0.8)


def derive(ctx: Ctx) -> list[str]:
    text = ctx.out.get("text", "")
    if not ctx.options.keywords or len(text) < 40:
        return []
    return [kw for kw, _score in _extractor().extract_keywords(text[:20000])]
