"""YAKE keywords per entry: multilingual, CJK segmented by jieba, parallel over the cores, cached by content hash."""
from __future__ import annotations

import multiprocessing
import os
import re
import sqlite3
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from . import lang as L

_CJK_STOP = str.maketrans({"。": ". ", "！": "! ", "？": "? ", "，": ", ", "、": ", ", "；": "; ", "：": ": ",
                           "（": " ", "）": " ", "「": " ", "」": " ", "『": " ", "』": " ", "《": " ", "》": " "})
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Common Chinese function words jieba keeps whole (YAKE's zh list has mostly single characters).
_ZH_STOP = frozenset("""一个 一种 一些 我们 你们 他们 她们 它们 这个 那个 这些 那些 这样 那样 什么 怎么 因为 所以 但是 如果
就是 还是 没有 已经 以及 通过 进行 可以 需要 用于 也是 每个 每次 每周 每天 自己 以后 之后 之前 时候 可能 应该 非常 比较 或者
而且 然后 虽然 不是 这种 那种 其中 对于 关于 由于 并且 之间 一样 这里 那里 为了 一下 一直 还有 只是 的话 等等""".split())
_SPACE_BETWEEN_CJK = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]) (?=[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff])")


@dataclass(frozen=True)
class KeywordOptions:
    """What changes the keywords of a text: part of every cache key."""

    n: int = 2  # longest key phrase, in words
    top: int = 8
    dedup_lim: float = 0.8
    max_chars: int = 20000  # YAKE is linear but slow: a book-length note is judged by its start
    default_lang: str = "en"

    def key(self) -> str:
        return orjson.dumps(asdict(self)).decode() + "|v1"


@lru_cache(maxsize=16)
def _extractor(lang: str, opts: KeywordOptions, stop: frozenset[str] | None = None) -> Any:
    # Imported lazily: a sync that never extracts keywords does not pay for it. Stock YAKE's results at about
    # half its cost (see yakelite).
    from .yakelite import LiteExtractor

    return LiteExtractor(lan=lang if lang in L.available() else "en", n=opts.n, top=opts.top,
                                 dedup_lim=opts.dedup_lim, stopwords=stop)


def extract(text: str, lang: str, opts: KeywordOptions = KeywordOptions()) -> list[str]:
    """Key phrases of one text in `lang`, best first."""
    text = text[:opts.max_chars]
    if len(text.strip()) < 20:
        return []
    if lang in ("zh", "ja") or L._CJK_RUN.search(text):
        return _extract_cjk(text, lang, opts)
    return [kw for kw, _ in _extractor(lang, opts).extract_keywords(text)]


def _extract_cjk(text: str, lang: str, opts: KeywordOptions) -> list[str]:
    """YAKE over jieba's words. YAKE counts words under 3 characters as stopwords (most Chinese words have 2),
    so each word is swapped for a letters-only stand-in, and swapped back in the results."""
    words = L.segment(text.translate(_CJK_STOP).replace("\n", ". "))
    stop_src = L.stopwords(lang if lang in ("zh", "ja") else "zh") | _ZH_STOP
    alias: dict[str, str] = {}
    back: dict[str, str] = {}
    stop: set[str] = set()
    out = []
    for w in words:
        if not L._CJK_RUN.fullmatch(w):
            out.append(w)
            continue
        a = alias.get(w)
        if a is None:
            i, a = len(alias), ""
            while True:
                a, i = a + _LETTERS[i % 26], i // 26
                if not i:
                    break
            a = "qx" + a + "q"  # never an English word, always ≥ 3 letters, no digits (YAKE drops those)
            alias[w], back[a] = a, w
            if w in stop_src or len(w) == 1:  # a lone character is a particle or an unknown-word fragment
                stop.add(a)
        out.append(a)
    # Punctuation stays its own token so YAKE still splits sentences on it.
    seg = " ".join(out).replace(" .", ".").replace(" ,", ",")
    # One word per phrase: jieba's words are already compounds, and a pair of them reads as a clause.
    ex = _extractor("en", KeywordOptions(1, opts.top, opts.dedup_lim, opts.max_chars, opts.default_lang),
                    frozenset(stop | L.stopwords("en")))
    res = []
    for kw, _ in ex.extract_keywords(seg):
        phrase = " ".join(back.get(t.lower(), t) for t in kw.split())
        res.append(_SPACE_BETWEEN_CJK.sub("", phrase))
    return res


def keywords_of(rec: Mapping[str, Any], opts: KeywordOptions = KeywordOptions()) -> list[str]:
    """Keywords of one entry record, in its language (front matter `lang`, else detected, else the default)."""
    text = rec.get("text") or ""
    return extract(text, L.language_of(rec, opts.default_lang), opts)


class KeywordCache:
    """Keywords by (content hash, options): an unchanged entry is never recomputed. SQLite, one small table."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS keywords (hash TEXT, opts TEXT, value TEXT, PRIMARY KEY (hash, opts))")

    def get_many(self, hashes: Iterable[str], opts: KeywordOptions) -> dict[str, list[str]]:
        key, hs = opts.key(), list(dict.fromkeys(hashes))
        out: dict[str, list[str]] = {}
        for i in range(0, len(hs), 500):
            chunk = hs[i:i + 500]
            q = f"SELECT hash, value FROM keywords WHERE opts=? AND hash IN ({','.join('?' * len(chunk))})"
            out.update((h, orjson.loads(v)) for h, v in self.db.execute(q, [key, *chunk]))
        return out

    def put_many(self, values: Mapping[str, list[str]], opts: KeywordOptions) -> None:
        key = opts.key()
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO keywords VALUES (?,?,?)",
                                ((h, key, orjson.dumps(v).decode()) for h, v in values.items()))

    def close(self) -> None:
        self.db.close()


def _job(args: tuple[list[tuple[str, str, str]], KeywordOptions, list[str]]) -> list[tuple[str, list[str]]]:
    items, opts, names = args
    L.add_words(names)
    return [(h, extract(text, lang, opts)) for h, text, lang in items]


@dataclass
class KeywordStats:
    entries: int = 0
    computed: int = 0  # texts YAKE ran on; the rest came from the cache (or shared a hash with another entry)
    workers: int = 1
    committed: int = 0  # entries whose stored keywords changed (fill_keywords)


def compute(records: Iterable[Mapping[str, Any]], cache: KeywordCache | None = None,
            opts: KeywordOptions = KeywordOptions(), workers: int | None = None,
            mp_context: Any = None) -> tuple[dict[str, list[str]], KeywordStats]:
    """slug → keywords for every record; misses are computed over a process pool and written to the cache."""
    recs = [r for r in records]
    stats = KeywordStats(entries=len(recs))
    hash_of = {r["slug"]: _hash(r, opts) for r in recs}
    known = cache.get_many(hash_of.values(), opts) if cache else {}
    todo: dict[str, tuple[str, str, str]] = {}
    for r in recs:
        h = hash_of[r["slug"]]
        if h not in known and h not in todo:
            todo[h] = (h, r.get("text") or "", L.language_of(r, opts.default_lang))
    stats.computed = len(todo)
    # The knowledge base's own CJK names segment whole (a change of names is not in the cache key: it only
    # matters for texts that are recomputed anyway, and names rarely change).
    names = sorted({str(n) for r in recs for n in [r.get("title"), *(r.get("aliases") or [])]
                    if n and L._CJK_RUN.search(str(n))})
    fresh = _run(list(todo.values()), opts, workers, stats, names, mp_context)
    if cache and fresh:
        cache.put_many(fresh, opts)
    known.update(fresh)
    return {s: known[h] for s, h in hash_of.items()}, stats


def _hash(rec: Mapping[str, Any], opts: KeywordOptions) -> str:
    """The file's content hash covers text and front matter (and so `lang`); records without one hash their text."""
    if rec.get("hash"):
        return str(rec["hash"])
    import hashlib

    lang = (rec.get("fields") or {}).get("lang")
    return hashlib.blake2b(f"{lang}\0{rec.get('text') or ''}".encode(), digest_size=16).hexdigest()


def _run(items: list[tuple[str, str, str]], opts: KeywordOptions, workers: int | None,
         stats: KeywordStats, names: list[str], mp_context: Any = None) -> dict[str, list[str]]:
    workers = workers or os.cpu_count() or 1
    # A pool costs more to start than a few texts take; a daemonic process (a site worker) may not start one.
    if workers <= 1 or len(items) < 16 or multiprocessing.current_process().daemon:
        return dict(_job((items, opts, names)))
    stats.workers = workers
    _extractor(opts.default_lang, opts)  # YAKE imported before the fork: workers inherit it instead of importing it
    # Longest texts first, dealt round-robin into many small chunks: workers finish together.
    items.sort(key=lambda x: -len(x[1]))
    n_chunks = min(len(items), workers * 16)
    chunks = [items[i::n_chunks] for i in range(n_chunks)]
    out: dict[str, list[str]] = {}
    with ProcessPoolExecutor(workers, mp_context=mp_context) as pool:
        for part in pool.map(_job, [(c, opts, names) for c in chunks]):
            out.update(part)
    return out
