"""The generator's vocabulary: common English words, then pronounceable made-up words, all built in code.

Nothing is read from disk, so a corpus depends only on the generator's arguments (and Python's `random`).
"""
from __future__ import annotations

import random
import unicodedata
from functools import lru_cache

# Most frequent ranks: real English content words. No stopwords (the, of, a...), as in most keyword indexes:
# every word carries some signal, and no query word matches nearly every entry. YAML's special scalars
# (yes, no, on, off, true, false, null) are left out too: tags are written unquoted.
COMMON = """
object file time people year work world life hand part place case week system program question number night
point home water room mother area money story fact month study book word business issue side kind head house
service friend father power hour game line member city community name team minute idea body information
parent face level office door health person history party result change morning reason research moment air
teacher force education garden kitchen bridge river market letter paper table window forest stone winter
summer evening road music answer family school project method plan group problem season mountain island
model value record field light image sound voice color shape pattern signal energy plant animal tree flower
seed fruit bread salt sugar coffee glass metal wood cloth rope wheel engine train ship plane station
harbor valley desert ocean cloud storm rain snow wind fire smoke dust shadow bottle basket candle mirror
ladder hammer needle pencil ticket letterbox lantern blanket pillow carpet curtain pocket button""".split()


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
