#!/usr/bin/env python3
"""Memory of a cold build's forked discovery, step by step: what `site_plugins/discovery_later.py`'s forked process
does (discovery of the public records, its result pickled for the pages, the kept state pickled into a file),
run here in one fresh process over a store synced beforehand.

    python bench/discovery_memory.py --entries 20000 [--entries 10000 ...] [--out bench/out/discmem] [--trace]

Prints per step (Discovery.build's own steps, then the result's and the kept state's pickles) the RSS at its end
and the peak during it (sampled every 0.02 s by a thread), above the RSS the records' load left (the process's
part that a forked discovery shares with the build process); `--trace`: tracemalloc's top allocation sites at
the largest Python heap (slow: CPU figures mean nothing then).
"""
from __future__ import annotations

import argparse
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


def _rss() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Steps:
    """RSS at the end of each step and its peak during it (a thread samples; the steps mark)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []
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
        now = _rss()
        self.rows.append((name, now, max(self.peak, now)))
        self.peak = now
        import tracemalloc

        if tracemalloc.is_tracing():
            cur, peak = tracemalloc.get_traced_memory()
            if cur > self.heap:  # the largest heap at a step's end: where it sits
                self.heap = cur
                snap = tracemalloc.take_snapshot().statistics("lineno")[:15]
                self.top = [f"{name}: {s.size / 2**20:.1f} MB {s.count} blocks {s.traceback[0]}" for s in snap]


def one(store: str, content: str, trace: bool) -> dict:
    import pickle
    import tempfile

    from kbsync.discovery import enrich
    from kbsync.store import open_store
    from site_plugins import discovery_later, topics
    from site_plugins.index import SiteIndex

    st = open_store(store)
    records, rev = list(st.entries()), st.revision()
    st.close()
    index = SiteIndex.from_records(records, rev)
    del records
    public = index.public_records()
    import gc

    gc.collect()
    if trace:
        import tracemalloc

        tracemalloc.start()
    steps = Steps()
    base = _rss()
    steps.mark("records loaded")
    lap = enrich._Clock.lap

    def marked(self, name):  # noqa: ANN001, ANN202
        lap(self, name)
        steps.mark(f"build: {name}")

    enrich._Clock.lap = marked  # type: ignore[method-assign]
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = topics.site_discovery(public, content, topics.results_path(store))
    steps.mark("site_discovery returned (fields, saved)")
    out = tempfile.mkdtemp(prefix="kb-discmem-")
    blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    with open(os.path.join(out, "result.pickle"), "wb") as fh:
        fh.write(blob)
    del blob, result
    steps.mark("result pickled")
    kept = topics._KEPT.get(Path(content).resolve())
    with open(os.path.join(out, "kept.pickle"), "wb") as fh:
        discovery_later._dump(kept, fh)
    steps.mark("kept state pickled")
    shutil.rmtree(out)
    steps.stop = True
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"rows": steps.rows, "base": base, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "public": len(public), "wall": time.perf_counter() - t0,
            "cpu": time.process_time() - cpu0 + kids.ru_utime + kids.ru_stime, "load": os.getloadavg()[0],
            "top": steps.top, "kids_peak": kids.ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, action="append")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "discmem")
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        store, content = a.one.split("|")
        print(json.dumps(one(store, content, a.trace)))
        return
    from kbsync.testing.corpus import ensure

    for n in a.entries or [20000]:
        out = (a.out / str(n)).resolve()
        content, _ = ensure(out / "corpus", n)
        store = fresh_store(out, content)
        cmd = [sys.executable, __file__, "--one", f"{store}|{content}"] + (["--trace"] if a.trace else [])
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        base = r["base"]
        print(f"\n## {n} entries ({r['public']} public): discovery {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU "
              f"with its pool, load {r['load']:.1f}; peak RSS {r['peak']:.0f} MB, {r['peak'] - base:.0f} MB above "
              f"the records' {base:.0f} MB ({(r['peak'] - base) / n * 1000:.1f} MB per 1,000 entries); "
              f"largest pool worker {r['kids_peak']:.0f} MB")
        print("| step | RSS at end, MB | peak during, MB |\n|---|---:|---:|")
        for name, end, peak in r["rows"]:
            print(f"| {name} | {end:.0f} | {peak:.0f} |")
        for line in r["top"]:
            print("    " + line)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
