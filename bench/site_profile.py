#!/usr/bin/env python3
"""Where a cold kb site build spends its time: cProfile of one build, top functions by own and cumulative time.

    python bench/site_profile.py --entries 10000 [--out bench/out/profile] [--top 15] [--no-profile]
                                 [--parallel 1 0]

The store is synced first (`--no-presync` skips it) so the figures show the site build, not the sync.
Builds once per `--parallel` value (the plugin option: 1 one process, 0 one per core), in the same run;
prints wall and CPU time (this process and its reaped children: page workers, graph layout, pools) with the
load average, and the profile of the main process (workers' time shows as waiting for them).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "profile")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--no-presync", dest="presync", action="store_false")
    ap.add_argument("--no-profile", dest="profile", action="store_false", help="time only")
    ap.add_argument("--parallel", type=int, nargs="+", default=[0], help="`parallel` option per build (1: serial)")
    ap.add_argument("--before", action="store_true",
                    help="first a build as before issue 16: one process, the nav rendered for every page")
    ap.add_argument("--variant", help=argparse.SUPPRESS)  # LABEL:WORKERS, one build (run by the loop below)
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    from kbsync.testing.corpus import ensure
    from site_plugins.config import build_site

    out = a.out.resolve()
    content, _ = ensure(out, a.entries)
    store = f"sqlite:///{out / 'kb.sqlite'}"
    if a.presync and a.variant is None:
        from kbsync.store import open_store
        from kbsync.sync import sync_content

        s = open_store(store)
        try:
            sync_content(content, s)
        finally:
            s.close()
    from site_plugins import navcache

    runs = [("before", 1)] if a.before else []
    runs += [(f"parallel={w}", w) for w in a.parallel]
    if a.variant is None:  # each build in a fresh process: no cache of one (templates, graph layout) helps the next
        for label, workers in runs:
            subprocess.run([sys.executable, __file__, "--entries", str(a.entries), "--out", str(out), "--top",
                            str(a.top), "--no-presync", *([] if a.profile else ["--no-profile"]),
                            "--variant", f"{label}:{workers}"], check=True)
        return
    label, _, workers_text = a.variant.partition(":")
    workers = int(workers_text)
    navcache.ENABLED = label != "before"
    site = out / "site"
    if site.exists():
        shutil.rmtree(site)
    prof = cProfile.Profile() if a.profile else None
    t0, c0 = time.perf_counter(), cpu_seconds()
    if prof is not None:
        prof.enable()
    build_site(content, site, store_url=store, parallel=workers)
    if prof is not None:
        prof.disable()
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cold build {a.entries} entries, {label}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
          f"peak RSS {me:.0f} MB + {kids:.0f} MB largest child, load {os.getloadavg()[0]:.2f}", flush=True)
    if prof is not None:
        prof.dump_stats(str(out / f"profile-{label}.pstats"))  # a closer look: python -m pstats FILE
        for key in ("tottime", "cumulative"):
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(a.top)
            text = buf.getvalue()
            print(text[text.find("   ncalls"):], flush=True)


if __name__ == "__main__":
    main()
