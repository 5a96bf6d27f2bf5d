"""The generator's vocabulary: common English words, then pronounceable made-up words, all built in code.

Nothing is read from disk, so a corpus depends only on the generator's arguments (and Python's `random`).
"""
from __future__ import annotations

import random
import unicodedata
from functools import lru_cache

# Most frequent ranks: real English, so text has function words for keyword extractors to skip. YAML's
# special scalars (yes, no, on, off, true, false, null) are left out: tags are written unquoted.
COMMON = """
the of and to in is that for it as was with be by this are from or at which but not have an they
you were his her their one all would there what so up out if about who get when make can like time
just him know take people into year your good some could them see other than then now look only come
its over think also back after use two how our work first well way even new want because any these
give day most us very between each under found still through where much before must three great small
large place long part field water light house garden kitchen bridge river market letter paper table
window forest stone winter summer morning evening city road music story question answer number world
family school project system method result plan group problem friend season mountain island
""".split()

_ONSETS = ("b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pl",
           "pr", "r", "s", "sh", "sk", "st", "t", "th", "tr", "v", "w", "z")
_NUCLEI = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y")
_CODAS = ("", "", "", "n", "r", "s", "l", "m", "t", "nd", "st", "x", "k")
_AVOID = {"yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "index", "missing", "page", "overview"}

# A few non-ASCII words for titles (accents, CJK, Cyrillic): slugs, URLs and search must keep them whole.
UNICODE_WORDS = ("café", "naïve", "Zürich", "crème", "Ångström", "São Paulo", "数据", "知识库", "Москва",
                 "東京", "jalapeño", "façade")


def fold(text: str) -> str:
    """A conservative identity for names: accents dropped, case and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def made_up_words(count: int, seed: int, syllables: tuple[int, int], avoid: set[str]) -> list[str]:
    """`count` distinct pronounceable lowercase words, none in `avoid` (which grows with them)."""
    r = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        w = "".join(r.choice(_ONSETS) + r.choice(_NUCLEI) + r.choice(_CODAS)
                    for _ in range(r.randint(*syllables)))
        if 4 <= len(w) <= 12 and w.isalpha() and w not in avoid and w not in _AVOID:
            avoid.add(w)
            out.append(w)
    return out


@lru_cache(maxsize=4)
def vocabulary(size: int = 4000) -> tuple[str, ...]:
    """Words by rank (rank 1 most frequent): COMMON first, then made-up words."""
    seen = set(COMMON) | _AVOID
    common = [w for w in COMMON if w not in _AVOID]
    return tuple(common + made_up_words(size - len(common), 1, (1, 3), seen))


def topic_words(topics: int, per_topic: int = 12) -> list[list[str]]:
    """Rare words for each planted topic: longer made-up words that never occur in the vocabulary."""
    words = made_up_words(topics * per_topic, 2, (3, 4), set(vocabulary()))
    return [words[t * per_topic:(t + 1) * per_topic] for t in range(topics)]
