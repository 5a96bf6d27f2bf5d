"""Language of a text, its stopwords, word tokens and stems: what every discovery module shares."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources, util
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

# YAKE's stopword files name these codes; Snowball's stemmers use the long names.
SNOWBALL = {"ar": "arabic", "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french",
            "de": "german", "hu": "hungarian", "it": "italian", "no": "norwegian", "pt": "portuguese",
            "ro": "romanian", "ru": "russian", "es": "spanish", "sv": "swedish"}
# Latin-script languages told apart by stopword hits (others are known by their script).
_LATIN = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cz", "ro", "tr", "id", "hu")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ALIASES = {"cs": "cz", "nb": "no", "nn": "no", "zh-cn": "zh", "zh-tw": "zh", "jp": "ja"}


def is_cjk_char(ch: str) -> bool:
    """Han or kana: scripts written without spaces between words."""
    return bool(_HAN.match(ch) or _KANA.match(ch))


def code(lang: Any) -> str | None:
    """A front-matter `lang` (`en`, `en-GB`, `zh_CN`, `German`) as a two-letter code we have stopwords for."""
    if not isinstance(lang, str) or not lang.strip():
        return None
    raw = lang.strip().lower().replace("_", "-")
    raw = _ALIASES.get(raw, raw)
    for short, long in SNOWBALL.items():
        if raw == long:
            return short
    short = _ALIASES.get(raw.split("-")[0], raw.split("-")[0])
    return short if short in available() else None


@lru_cache(maxsize=1)
def _stopword_dir() -> Traversable:
    """YAKE's stopword folder, found without importing yake: its import pulls in networkx, ~0.2 s of CPU in
    every process that only wants a stopword list (discovery's profile workers, the build process)."""
    spec = util.find_spec("yake")
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    if places:
        return Path(places[0]) / "core" / "StopwordsList"
    return resources.files("yake") / "core" / "StopwordsList"


@lru_cache(maxsize=1)
def available() -> frozenset[str]:
    """Languages YAKE ships stopwords for."""
    folder = _stopword_dir()
    return frozenset(p.name[10:-4] for p in folder.iterdir() if p.name.startswith("stopwords_") and "noLang" not in p.name)


@lru_cache(maxsize=64)
def stopwords(lang: str) -> frozenset[str]:
    """YAKE's stopword list for `lang` (empty when there is none)."""
    if lang not in available():
        return frozenset()
    path = _stopword_dir() / f"stopwords_{lang}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip())


@lru_cache(maxsize=1)
def _stop_langs() -> dict[str, tuple[str, ...]]:
    """word -> the Latin-script languages listing it as a stopword (one lookup per word, not per language)."""
    out: dict[str, list[str]] = {}
    for lang in _LATIN:
        for w in stopwords(lang):
            out.setdefault(w, []).append(lang)
    return {w: tuple(v) for w, v in out.items()}


_LETTER = re.compile(r"[^\W\d_]")
STOPWORD_SAMPLE = 1000  # characters of Latin text whose stopwords decide its language


def detect(text: str, default: str = "en") -> str:
    """A cheap guess: the script first (Han, kana, Hangul, Cyrillic...), then stopword hits for Latin text."""
    sample = text[:2000]
    if not sample.isascii():
        guess = _by_script(sample, default)
        if guess:
            return guess
    # 150 words tell a language by its stopwords as well as 300 did: tokenising more is the cost of a guess.
    head = sample[:STOPWORD_SAMPLE].lower()
    words = (_ascii_words(head) if head.isascii() else _WORD.findall(head))[:150]
    if len(words) < 8:
        return default
    hits: dict[str, int] = {}
    table = _stop_langs()
    counts = Counter(words)
    for w in counts.keys() & table.keys():  # (in C: only the stopwords the sample holds reach Python)
        k = counts[w]
        for lang in table[w]:
            hits[lang] = hits.get(lang, 0) + k
    best = max(hits, key=lambda k: (hits[k] * (1.2 if k == default else 1.0), k), default=default)
    return best if hits.get(best, 0) >= 0.15 * len(words) else default


def _by_script(sample: str, default: str) -> str | None:
    """The language a non-Latin script tells (None: Latin text, decide by stopwords)."""
    if _latin(sample):
        return None
    n_letters = len(_LETTER.findall(sample))
    if not n_letters:
        return default
    kana, han = len(_KANA.findall(sample)), len(_HAN.findall(sample))
    if kana + han > 0.2 * n_letters:
        return "ja" if kana > 0.1 * (kana + han) else "zh"
    if len(_HANGUL.findall(sample)) > 0.2 * n_letters:
        return default  # no Korean stopwords or stemmer: the default's rules at least keep words whole
    return _SCRIPTS.get(_script(_LETTER.findall(sample[:600])))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_NON_LETTERS = bytes(i for i in range(128) if not chr(i).isalpha())


def _ascii_letters(text: str) -> int:
    return len(text.encode("ascii", "ignore").translate(None, _ASCII_NON_LETTERS))


def _latin(sample: str) -> bool:
    """True when `_by_script` would decide Latin anyway, told from counts taken in C (a list of every letter
    cost more than the rest of the guess): too few non-ASCII characters to be 20% CJK or Hangul letters, and
    ASCII letters the majority of the first 600 characters' letters."""
    head = sample[:600]
    return (len(_NON_ASCII.findall(sample)) <= 0.2 * _ascii_letters(sample)
            and _ascii_letters(head) > len(_NON_ASCII.findall(head)))


_SCRIPTS = {"CYRILLIC": "ru", "GREEK": "el", "ARABIC": "ar", "ARMENIAN": "hy", "DEVANAGARI": "hi"}


def _script(letters: list[str]) -> str:
    counts: dict[str, int] = {}
    for c in letters:
        s = "LATIN" if c.isascii() else unicodedata.name(c, "").split(" ")[0]  # (an ASCII letter is Latin: skip the lookup)
        counts[s] = counts.get(s, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else ""


def language_of(rec: Mapping[str, Any], default: str = "en") -> str:
    """Front matter `lang`, else detected from the entry's text, else the site default."""
    fields = rec.get("fields") or {}
    return code(fields.get("lang") if isinstance(fields, Mapping) else None) or detect(rec.get("text") or "", default)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba  # ships its dictionary; loaded once per process, only when CJK text appears

    from .jiebafreq import initialize

    jieba.setLogLevel(logging.WARNING)
    initialize(jieba)  # (its dictionary from a faster copy than jieba's own cache)
    return jieba


_ADDED: set[str] = set()


def add_words(words: Iterable[str]) -> None:
    """Teach jieba the knowledge base's own CJK names (entry titles, aliases), so they come out whole."""
    new = [w for w in words if w not in _ADDED and _CJK_RUN.search(w)]
    if new:
        jb = _jieba()
        for w in new:
            for part in _CJK_RUN.findall(w):
                jb.add_word(part, freq=max(jb.suggest_freq(part, tune=False), 1000))
            _ADDED.add(w)


# ASCII text: every byte but a word character or an apostrophe becomes a space, and `split` gives `_WORD`'s words
# (in C: the regex's per-match work was a third of discovery's per-entry features).
_ASCII_SPLIT = bytes(c if chr(c).isalnum() or chr(c) in "_'" else 32 for c in range(128)) + b" " * 128
_APOSTROPHES = re.compile("'{2,}")


def _ascii_words(text: str) -> list[str]:
    """`_WORD.findall(text)` for an ASCII `text`."""
    words = text.encode("ascii").translate(_ASCII_SPLIT).decode("ascii").split()
    if "'" not in text:
        return words
    # In `_WORD` an apostrophe joins two word characters only: one at either end, or two in a row, splits there.
    out: list[str] = []
    for w in words:
        if "'" in w:
            out += [p for p in _APOSTROPHES.split(w.strip("'")) if p]
        else:
            out.append(w)
    return out


def segment(text: str) -> list[str]:
    """Words of a text: runs of Han/kana cut by jieba, everything else split on word characters."""
    if text.isascii():
        return _ascii_words(text)
    if not _CJK_RUN.search(text):
        return _WORD.findall(text)
    out: list[str] = []
    pos = 0
    for m in _CJK_RUN.finditer(text):
        out += _WORD.findall(text[pos:m.start()])
        out += [w for w in _jieba().lcut(m.group(), HMM=True) if w.strip()]
        pos = m.end()
    out += _WORD.findall(text[pos:])
    return out


@lru_cache(maxsize=32)
def _stemmer(lang: str) -> Any:
    from .lean import without

    with without("scipy.stats"):  # nltk's package imports it for a collocation measure kb never uses (~0.4 s)
        from nltk.stem.snowball import SnowballStemmer  # Snowball ships without any nltk data download

    return SnowballStemmer(SNOWBALL[lang]) if lang in SNOWBALL else None


class Stems:
    """Stem of a lowercase word in one language, memoised (a corpus repeats the same few thousand words)."""

    def __init__(self, lang: str) -> None:
        self.lang, self.stemmer = lang, _stemmer(lang)
        self.memo: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        s = self.memo.get(word)
        if s is None:
            s = self.stemmer.stem(word) if self.stemmer is not None and word.isalpha() else word
            self.memo[word] = s
        return s


@lru_cache(maxsize=32)
def stems(lang: str) -> Stems:
    """The shared memoised stemmer for `lang`."""
    return Stems(lang)


def stem_phrase(phrase: str, lang: str) -> str:
    """`Heavy Squats` → `heavi squat`: each word lowercased and stemmed; CJK words stay as they are."""
    st = stems(lang)
    return " ".join(st(w.lower()) for w in segment(phrase))
