#!/usr/bin/env python3
"""Edits over a kept site: build a corpus's site once, then time (and profile) edits of chosen kinds over it.

    python bench/edit_profile.py --corpus DIR --out bench/out/edits-10000 [--kinds visibility body] [--edits 20]
                                 [--no-panels] [--profile FILE] [--top 25] [--each]

`--corpus` is a folder holding `content/` (e.g. one `kbsync.testing.corpus.ensure` made); its content is copied
into `--out` once (edits write to it, and undo each edit). Later runs over the same `--out` reuse the copy and
the synced store (their sync finds nothing to do), but render every page once more: render keys live in the
building process, so only a build in this process gives the follow-up its state. The edits are
`bench/edits.py`'s, timed as `kb serve`'s site worker runs them; `--profile` writes a cProfile of the edits
alone (CPU time) and prints its top functions by cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    import importlib.util

    from edits import ADDED_DELETED, EDITS, time_edits

    spec = importlib.util.spec_from_file_location("bench_site", ROOT / "bench" / "site.py")  # not stdlib `site`
    assert spec is not None and spec.loader is not None
    bench_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_site)
    cpu_seconds, peak_rss, rss_peaks = bench_site.cpu_seconds, bench_site.peak_rss, bench_site.rss_peaks

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a folder holding content/")
    ap.add_argument("--out", type=Path, required=True, help="where the content copy, store and site are kept")
    ap.add_argument("--kinds", nargs="+", choices=[*EDITS, *ADDED_DELETED], default=[*EDITS, *ADDED_DELETED])
    ap.add_argument("--edits", type=int, default=20, help="edits of each kind")
    ap.add_argument("--no-panels", action="store_true", help="skip the discovery panels' phase after each edit")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the edits here and print its top")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--each", action="store_true", help="a line per edit: which ones make the p95")
    ap.add_argument("--under", default="", help="victims from this content folder only (e.g. people/: mentioned often)")
    ap.add_argument("--log", action="store_true", help="the follow-ups' own log lines (pages re-rendered, graph files)")
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)

    from site_plugins.config import build_site

    out = a.out.resolve()
    content, site = out / "content", out / "kb"
    store = f"sqlite:///{out / 'kb.sqlite'}"
    if not content.is_dir():
        out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(a.corpus / "content", content)
    cold = not (site / "index.html").is_file()
    t0, c0 = time.perf_counter(), cpu_seconds()
    build_site(content, site, store_url=store, incremental=True)
    print(f"{'cold build' if cold else 'incremental build (loads the state)'}: {time.perf_counter() - t0:.1f} s, "
          f"{cpu_seconds() - c0:.1f} s CPU with children, load {os.getloadavg()[0]:.1f}", flush=True)
    built = rss_peaks()  # the build's peak, before the edits
    if a.log:  # after the build: its own lines would drown the edits'
        logging.getLogger("mkdocs.plugins.kb").setLevel(logging.INFO)
    prof = cProfile.Profile(time.process_time) if a.profile else None
    if prof is not None:
        prof.enable()
    time_edits(content, site, store, a.edits, with_panels=not a.no_panels, kinds=a.kinds, each=a.each,
               under=a.under)
    if prof is not None:
        prof.disable()
        prof.dump_stats(str(a.profile))
        pstats.Stats(prof).sort_stats("cumulative").print_stats(a.top)
    peak_rss(built)


if __name__ == "__main__":
    main()
