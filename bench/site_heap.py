#!/usr/bin/env python3
"""Who holds the build process's Python heap at its largest: a tracemalloc snapshot per phase, the largest kept.

    python bench/site_heap.py --entries 10000 [--beside-from 0] [--incremental] [--out bench/out/heap] [--corpus DIR] [--top 25]

Builds once (a store synced beforehand, as bench/site_memory.py) with tracemalloc tracing the build process only
(forked children stop tracing: their heaps are theirs), takes a snapshot at every phase change of
bench/site_memory.py's phases whose traced size is the largest so far, and prints, for that snapshot, the phase,
the traced total and the top allocation sites by file and line (and by file). Traced sizes are Python's own
allocations: native memory (numpy, the allocator's free pages) is not in them, so compare with site_memory's RSS.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

from benchstore import fresh_store  # noqa: E402 - bench/ is this script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def build(job: str, top: int, frames: int) -> None:
    """In the build process: trace, build, print the largest snapshot's top sites."""
    import site_memory

    content, site, store, beside, incremental = job.split("|")
    best: dict[str, object] = {"size": 0}
    pid = os.getpid()
    os.register_at_fork(after_in_child=tracemalloc.stop)
    tracemalloc.start(frames)
    enter = site_memory.Phases.enter

    def traced_enter(self: site_memory.Phases, phase: str) -> None:
        if os.getpid() == pid and phase != self.phase:
            size = tracemalloc.get_traced_memory()[0]
            if size > best["size"]:  # type: ignore[operator]
                best.update(size=size, phase=self.phase, snap=tracemalloc.take_snapshot())
        enter(self, phase)

    site_memory.Phases.enter = traced_enter  # type: ignore[method-assign]
    r = site_memory.one(Path(content), Path(site), store, int(beside) if beside else None, incremental == "1")
    snap = best.pop("snap")
    assert isinstance(snap, tracemalloc.Snapshot)
    snap = snap.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    print(f"\n## largest traced heap: {best['size'] / 2**20:.1f} MB at the end of phase `{best['phase']}`; "
          f"build {r['wall']:.1f} s wall (traced), peak RSS {r['peak_main']:.0f} MB main")
    for key, title in (("filename", "by file"), ("lineno", "by line")):
        stats = snap.statistics(key)
        print(f"\n| {title} | MB | blocks |\n|---|---:|---:|")
        for s in stats[:top]:
            where = s.traceback[0]
            name = os.path.relpath(where.filename, ROOT) if where.filename.startswith(str(ROOT)) else where.filename
            if "site-packages/" in name:
                name = name.split("site-packages/", 1)[1]
            print(f"| {name}{':' + str(where.lineno) if key == 'lineno' else ''} | {s.size / 2**20:.1f} | {s.count} |")
    if frames > 1:
        print(f"\n| by traceback (top {top // 2}) | MB |\n|---|---:|")
        for s in snap.statistics("traceback")[:top // 2]:
            lines = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in list(s.traceback)[::-1][:frames])
            print(f"| {lines} | {s.size / 2**20:.1f} |")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "heap")
    ap.add_argument("--corpus", type=Path, help="a generated corpus folder to reuse")
    ap.add_argument("--beside-from", type=int)
    ap.add_argument("--incremental", action="store_true", help="a build that keeps what later edits need, as "
                    "`kb serve`'s and bench/site.py's (its kept state is in the snapshot taken as it returns)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--frames", type=int, default=1, help="traceback depth (more: slower, per-caller rows)")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    if a.one:
        build(a.one, a.top, a.frames)
        return
    from kbsync.testing.corpus import ensure

    out = (a.out / str(a.entries)).resolve()
    content = a.corpus.resolve() / "content" if a.corpus is not None else ensure(out / "corpus", a.entries)[0]
    shutil.rmtree(out / "site", ignore_errors=True)
    store = fresh_store(out, content)
    job = f"{content}|{out / 'site'}|{store}|{'' if a.beside_from is None else a.beside_from}|{int(a.incremental)}"
    proc = subprocess.run([sys.executable, __file__, "--one", job, "--top", str(a.top), "--frames", str(a.frames)],
                          stdout=subprocess.PIPE, text=True, check=True)
    print("\n".join(line for line in proc.stdout.splitlines() if not line.startswith(("PHASE\t", "{"))))
    print(json.dumps({"entries": a.entries}))


if __name__ == "__main__":
    main()
