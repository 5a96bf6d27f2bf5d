"""Per-entry discovery features (language, body signature, stem counts, plain text for mentions), computed
once per content hash, over a process pool: the corpus-wide passes then only compare."""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .. import forkrole
from . import lang as L
from .common import Rec
from .duplicates import DupOptions
from .featurecache import FeatureCache
from .features import Packed, batch
from .unlinked import pack_plain, plain_text

log = logging.getLogger(__name__)


class Profile(NamedTuple):
    lang: str
    signature: np.ndarray | None  # MinHash of the body's word pairs (duplicates)
    counts: Mapping[str, float]  # stem counts, without keywords (related adds those; topics): a StemCounts
    plain: tuple[int, bytes] | None  # (first body line, masked lowercase text packed: unlinked.pack_plain) (mentions)


def profile(rec: Rec, content_dir: str | Path, keywords: Iterable[str] = (), opts: DupOptions | None = None) -> Profile:
    """Everything discovery needs from one entry. (`keywords` is accepted for older callers: counts leave
    keywords out, so a keyword fill never invalidates a profile.)"""
    return profiles([rec], content_dir, opts)[0]


def profiles(recs: list[Rec], content_dir: str | Path, opts: DupOptions | None = None) -> list[Profile]:
    """Profiles of many entries: each text split once, signatures and stem counts for all of them at once."""
    return [p for part in _job((recs, str(content_dir), opts)) for _, p in _unpack(*part)]


Job = tuple[list[str], tuple[list[str], list[tuple[int, bytes] | None], Packed]]


BATCH = 256  # entries whose words are held at once (a batch of huge files must not hold them all)


def _job(args: tuple[list[Rec], str, DupOptions | None]) -> list[Job]:
    recs, content_dir, opts = args
    return [_one(recs[i:i + BATCH], content_dir, opts) for i in range(0, len(recs), BATCH)]


def _one(recs: list[Rec], content_dir: str, opts: DupOptions | None) -> Job:
    langs = [L.language_of(r) for r in recs]
    words = [L.segment((r.get("text") or "").lower()) for r in recs]  # split once, for the signature and the stems
    packed = batch(words, langs, opts)
    del words
    return [str(r.get("slug")) for r in recs], (langs, [pack_plain(plain_text(content_dir, r)) for r in recs], packed)


def _unpack(slugs: list[str], packed: tuple[list[str], list[tuple[int, bytes] | None], Packed],
            ) -> list[tuple[str, Profile]]:
    langs, plains, arrays = packed
    sigs, counts = arrays.unpack()
    return [(s, Profile(*x)) for s, x in zip(slugs, zip(langs, sigs, counts, plains, strict=True), strict=True)]


def warm(recs: Iterable[Rec]) -> None:
    """Load nltk's stemmers, and jieba's dictionary when some text needs it, here before the workers fork: each
    worker importing them cost ~2 s and ~1.4 s of CPU."""
    L.stems("en")("warming")
    if any(not t.isascii() and L._CJK_RUN.search(t) for t in (r.get("text") or "" for r in recs)):
        L.segment("数据")


class Profiles:
    """Profiles by (content hash, path), kept between runs so an unchanged entry is never recomputed."""

    def __init__(self, cache: FeatureCache | None = None) -> None:
        self.memo: dict[tuple[str, str], Profile] = {}
        self.computed = 0
        self.cache = cache  # at rest, shared between processes (the memo is this process's)

    def get(self, records: Iterable[Rec], content_dir: str | Path, keywords: Mapping[str, list[str]] | None = None,
            workers: int | None = None) -> dict[str, Profile]:
        """slug -> profile of each record (`keywords` is accepted for older callers; profiles do not use it)."""
        recs = list(records)
        # The hash covers the file's bytes (front matter included); the path is where `plain` was read from.
        key = {r["slug"]: (str(r.get("hash") or id(r)), str(r.get("path"))) for r in recs}
        todo = [r for r in recs if key[r["slug"]] not in self.memo]
        if self.cache is not None and todo:
            self.memo.update(self._cached([key[r["slug"]] for r in todo if r.get("hash")]))
            todo = [r for r in todo if key[r["slug"]] not in self.memo]
        self.computed = len(todo)
        workers = workers or os.cpu_count() or 1
        # A daemonic process (kb serve's site worker) may not start a pool: it profiles on its own core.
        if workers <= 1 or len(todo) < 200 or multiprocessing.current_process().daemon:
            done = [x for part in _job((todo, str(content_dir), None)) for x in _unpack(*part)]
        else:
            # Entries keep only what workers need (text, path, fields); results come back as small tuples.
            slim = [{k: r.get(k) for k in ("slug", "path", "text", "fields")} for r in todo]
            warm(slim)
            n = workers * 8
            with ProcessPoolExecutor(workers, initializer=forkrole.pool_worker("profiles")) as pool:
                done = [x for parts in pool.map(_job, [(slim[i::n], str(content_dir), None) for i in range(n)])
                        for part in parts for x in _unpack(*part)]
        for slug, p in done:
            self.memo[key[slug]] = p
        if self.cache is not None and done:
            hashed = {r["slug"] for r in todo if r.get("hash")}  # (an entry without a hash is never at rest)
            self._store({key[slug]: p for slug, p in done if slug in hashed})
        return {s: self.memo[k] for s, k in key.items()}

    def _cached(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Profile]:
        try:
            return self.cache.get_many(keys) if self.cache is not None else {}
        except Exception as exc:  # a cache: unreadable means computing, never failing
            log.warning("discovery features not read from %s: %s", getattr(self.cache, "path", "?"), exc)
            return {}

    def _store(self, values: dict[tuple[str, str], Profile]) -> None:
        try:
            if self.cache is not None:
                self.cache.put_many(values)
        except Exception as exc:
            log.warning("discovery features not saved to %s: %s", getattr(self.cache, "path", "?"), exc)
