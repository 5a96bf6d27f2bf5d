#!/usr/bin/env python3
"""Memory of a cold build's forked discovery, step by step: what `site_plugins/discovery_later.py`'s forked process
does (discovery of the public records, its result pickled for the pages, the kept state pickled into a file),
run here in one fresh process over a store synced beforehand.

    python bench/discovery_memory.py --entries 20000 [--entries 10000 ...] [--out bench/out/discmem] [--trace]
        [--corpus DIR] [--reuse-store]

As the forked process does, discovery reads the public records from the file `slimrecords.write` left, the full
records freed first (the base printed is what is left then: the forked process's own base is the build process's
at `on_files`, ~160 MB). Prints per step (the slim records read, Discovery.build's own steps, then the result's
and the kept state's pickles) the RSS at its end and the peak during it (sampled every 0.02 s by a thread);
`--trace`: the Python heap (tracemalloc: numpy's and scipy's arrays included, igraph's and the Aho-Corasick
automaton's not) at each step's end and at its peak, and the top allocation sites at the largest heap (slow: CPU
figures mean nothing then). `--corpus DIR`: a corpus made by kbsync/testing/corpus.py (its `content/`), read only,
instead of generating one per `--entries` (which then only names the run). `--reuse-store`: the store a run left in
`--out` for this many entries is used again (discovery's caches beside it removed: a cold discovery still).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchstore import fresh_store  # noqa: E402 - bench/ is this script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                                               "uordblks", "fordblks", "keepcost")]


def _malloc() -> tuple[float, float]:
    """(MB glibc's malloc has handed out and not got back: numpy's and scipy's arrays, strings and dict tables
    above 512 bytes, native libraries; MB it holds freed, not given back to the system). Python's small objects
    live in pymalloc's own arenas, outside both."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _Mallinfo2
        m = libc.mallinfo2()
    except (OSError, AttributeError):  # not glibc 2.33+
        return 0.0, 0.0
    return (m.uordblks + m.hblkhd) / 2**20, m.fordblks / 2**20


def _rss() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Steps:
    """RSS at the end of each step and its peak during it (a thread samples; the steps mark)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float, float, float, float]] = []
        self.peak = _rss()
        self.stop = False
        self.top: list[str] = []
        self.heap = 0
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self.stop:
            self.peak = max(self.peak, _rss())
            time.sleep(0.02)

    def mark(self, name: str) -> None:
        import tracemalloc

        now = _rss()
        cur, peak = tracemalloc.get_traced_memory() if tracemalloc.is_tracing() else (0, 0)
        self.rows.append((name, now, max(self.peak, now), cur / 2**20, peak / 2**20, *_malloc()))
        self.peak = now
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()
            if cur > self.heap:  # the largest heap at a step's end: where it sits
                self.heap = cur
                snap = tracemalloc.take_snapshot().statistics("lineno")[:15]
                self.top = [f"{name}: {s.size / 2**20:.1f} MB {s.count} blocks {s.traceback[0]}" for s in snap]


def one(store: str, content: str, trace: bool) -> dict:
    import gc
    import tempfile

    from kbsync.discovery import enrich
    from kbsync.store import open_store
    from site_plugins import discovery_later, slimrecords, topics
    from site_plugins.index import SiteIndex

    st = open_store(store)
    records, rev = list(st.entries()), st.revision()
    st.close()
    index = SiteIndex.from_records(records, rev)
    del records
    out = tempfile.mkdtemp(prefix="kb-discmem-")
    slim = os.path.join(out, "records.pickle")
    slimrecords.write(index.public_records(), slim)  # what `discovery_later.later` gives the forked process
    public = len(index.public)
    del index
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # (the forked process never held the full records)
    if trace:
        import tracemalloc

        tracemalloc.start()
    steps = Steps()
    base = _rss()
    steps.mark("full records freed")
    # The forked process's own steps (`_compute_from`), each marked as it ends.
    read, lap, found, dump = slimrecords.read, enrich._Clock.lap, topics.site_discovery, discovery_later._dump

    def reading(path):  # noqa: ANN001, ANN202
        got = read(path)
        steps.mark("slim records read")
        return got

    def marked(self, name):  # noqa: ANN001, ANN202
        lap(self, name)
        steps.mark(f"build: {name}")

    def discovered(*a, **k):  # noqa: ANN002, ANN003, ANN202
        got = found(*a, **k)
        steps.mark("site_discovery returned (fields, saved)")
        return got

    def dumping(kept, fh):  # noqa: ANN001, ANN202
        steps.mark("result pickled")
        dump(kept, fh)
        steps.mark("kept state pickled")

    slimrecords.read, enrich._Clock.lap, topics.site_discovery, discovery_later._dump = (  # type: ignore[assignment]
        reading, marked, discovered, dumping)
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = os.path.join(out, "result.pickle")
    kept = discovery_later._compute_from(slim, content, store, result, os.getpid())
    steps.mark("done")
    if kept is not None:
        os.unlink(kept)
    steps.stop = True
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"rows": steps.rows, "base": base, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "public": public, "wall": time.perf_counter() - t0,
            "cpu": time.process_time() - cpu0 + kids.ru_utime + kids.ru_stime, "load": os.getloadavg()[0],
            "top": steps.top, "kids_peak": kids.ru_maxrss / 1024, "result": result}


def _digest(path: str) -> str:
    """sha256 of every entry's discovery fields (by slug) and the topics in the result file at `path` (its folder
    removed): equal before and after a change."""
    import hashlib
    import pickle

    with open(path, "rb") as fh:
        fields, found = pickle.load(fh)  # noqa: S301 - this bench's own file
    shutil.rmtree(os.path.dirname(path))
    h = hashlib.sha256()
    for slug in sorted(fields):  # one entry at a time: no corpus-sized string
        h.update(json.dumps([slug, fields[slug]], sort_keys=True).encode())
    h.update(json.dumps(found, sort_keys=True).encode())
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, action="append")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "discmem")
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--corpus", type=Path, help="a generated corpus's folder (read only), instead of generating")
    ap.add_argument("--reuse-store", action="store_true", help="the store the last run left here, if any")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        store, content = a.one.split("|")
        print(json.dumps(one(store, content, a.trace)))
        return
    from kbsync.testing.corpus import ensure

    for n in a.entries or [20000]:
        out = (a.out / str(n)).resolve()
        content = (a.corpus / "content").resolve() if a.corpus else ensure(out / "corpus", n)[0]
        kept = out / "store" / "kb.sqlite"
        if a.reuse_store and kept.exists():  # a cold discovery: no saved results, no cached features
            for old in (out / "store").glob("discovery.sqlite*"):
                old.unlink()
            store = f"sqlite:///{kept}"
        else:
            store = fresh_store(out, content)
        cmd = [sys.executable, __file__, "--one", f"{store}|{content}"] + (["--trace"] if a.trace else [])
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        base, r["digest"] = r["base"], _digest(r["result"])
        print(f"\n## {n} entries ({r['public']} public): discovery {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU "
              f"with its pool, load {r['load']:.1f}; peak RSS {r['peak']:.0f} MB, {r['peak'] - base:.0f} MB above "
              f"the records' {base:.0f} MB ({(r['peak'] - base) / n * 1000:.1f} MB per 1,000 entries); "
              f"largest pool worker {r['kids_peak']:.0f} MB; output sha256 {r['digest'][:16]}")
        print("| step | RSS at end, MB | peak during, MB | malloc in use, MB | malloc freed, kept, MB | Python heap at "
              "end, MB | heap peak during, MB |\n|---|---:|---:|---:|---:|---:|---:|")
        for name, end, peak, heap, heap_peak, used, kept in r["rows"]:
            print(f"| {name} | {end:.0f} | {peak:.0f} | {used:.0f} | {kept:.0f} | {heap:.0f} | {heap_peak:.0f} |")
        for line in r["top"]:
            print("    " + line)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
