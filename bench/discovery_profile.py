#!/usr/bin/env python3
"""Where a cold discovery build's CPU goes, step by step, in one process (no pool: each step's CPU is this
process's, so the load of a shared machine does not blur it).

    python bench/discovery_profile.py [--entries 100000]

Generates (or reuses) the planted corpus with `kbsync.testing.corpus.ensure` under bench/out, syncs it into
bench/out/planted-N/profile.sqlite (kept: a later run only catches up), then times reading the records, the
per-entry features split by step (language, words, MinHash signatures + stem counts, plain text for mentions),
and the corpus passes of `Discovery.build` over those features. Prints a Markdown table of CPU seconds.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=100_000)
    a = ap.parse_args()
    from kbsync.store import open_store
    from kbsync.sync import sync_content
    from kbsync.testing.corpus import ensure

    content, _ = ensure(ROOT / "bench" / "out" / f"planted-{a.entries}", a.entries, planted=True)
    store = open_store(f"sqlite://{content.parent / 'profile.sqlite'}")
    sync_content(content, store)
    rows: list[tuple[str, float]] = []
    c = time.process_time()
    records = list(store.entries())
    rows.append(("read the records (store.entries)", time.process_time() - c))

    from kbsync.discovery import lang as L
    from kbsync.discovery.enrich import Discovery
    from kbsync.discovery.features import batch
    from kbsync.discovery.profile import Profile, Profiles, warm
    from kbsync.discovery.unlinked import plain_text

    c = time.process_time()
    warm(records)
    rows.append(("features: load nltk and jieba (once per process)", time.process_time() - c))
    step: dict[str, float] = {}

    def timed(name: str, fn, *args):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
        c = time.process_time()
        out = fn(*args)
        step[name] = step.get(name, 0.0) + time.process_time() - c
        return out

    profiles = Profiles()
    for i in range(0, len(records), 1000):  # batches as a worker gets them
        part = records[i:i + 1000]
        langs = timed("language", lambda p: [L.language_of(r) for r in p], part)
        words = timed("words (tokenise, CJK segmented)", lambda p: [L.segment((r.get("text") or "").lower()) for r in p],
                      part)
        packed = timed("MinHash signatures + stem counts (batched)", batch, words, langs)
        plains = timed("plain text for mentions (read + mask)", lambda p: [plain_text(content, r) for r in p], part)
        sigs, counts = timed("arrays back to per-entry features", packed.unpack)
        for r, *x in zip(part, langs, sigs, counts, plains, strict=True):
            profiles.memo[(str(r.get("hash") or id(r)), str(r.get("path")))] = Profile(*x)
    rows += [(f"features: {k}", v) for k, v in step.items()]
    d = Discovery(content).build(records, keywords={}, profiles=profiles, workers=1)
    names = {"profiles": "passes: look up the features", "unlinked": "passes: unlinked mentions (names, automaton, scan)",
             "duplicates": "passes: duplicates (names blocked + rapidfuzz, MinHash LSH)",
             "matrix": "passes: stem count matrix", "related": "passes: related (TF-IDF rows, graph, top 5)",
             "topics": "passes: topics (telling stems, Leiden)"}
    rows += [(names.get(k, k), v) for k, v in d.cpu.items()]
    total = sum(v for _, v in rows)
    print(f"{len(records)} entries, one process, CPU seconds (load {os.getloadavg()[0]:.1f}, peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)\n")
    print("| step | CPU s | share |\n|---|---:|---:|")
    for k, v in rows:
        print(f"| {k} | {v:.1f} | {100 * v / total:.0f}% |")
    print(f"| total | {total:.1f} | |")


if __name__ == "__main__":
    main()
