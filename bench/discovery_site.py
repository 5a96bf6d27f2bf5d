#!/usr/bin/env python3
"""The site's discovery step (`SiteDiscovery`, called from `on_files`) at N entries, each in a new process:

    python bench/discovery_site.py [--entries 10000] [--src DIR]

1. first build: nothing saved beside the store (features computed, results saved);
2. after a sync with one edited entry: the saved results no longer match, so discovery is built again; per-entry
   features are read from `.kb/discovery.sqlite` for every entry but the edited one.
`--src`: run the steps against another checkout's code (e.g. an older commit unpacked with `git archive`).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEP = """
import json, os, resource, sys, time
t0 = time.perf_counter()
import kbsync
from kbsync.store import open_store
from site_plugins.index import SiteIndex
from site_plugins.topics import SiteDiscovery
store_url, content = sys.argv[1], sys.argv[2]
store = open_store(store_url)
records, rev = list(store.entries()), store.revision()
index = SiteIndex.from_records(records, rev)
t1, c1 = time.perf_counter(), time.process_time()
SiteDiscovery(index, content, store_url)
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - t1, "cpu": time.process_time() - c1 + kids.ru_utime + kids.ru_stime,
                  "load": os.getloadavg()[0], "code": os.path.dirname(os.path.dirname(kbsync.__file__))}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--src", type=Path, default=ROOT, help="the checkout whose kbsync and site_plugins are timed")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.enrich import corpus, edit_one
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    content, _ = corpus(a.entries)
    work = ROOT / "bench" / "out" / f"site-discovery-{a.entries}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    store_url = f"sqlite://{work / 'kb.sqlite'}"
    sync_content(content, open_store(store_url))
    env = dict(os.environ, PYTHONPATH=str(a.src))

    def step(name: str) -> None:
        # (run from `--src`: `python -c` puts the working folder first on the path)
        out = subprocess.run([sys.executable, "-c", STEP, store_url, str(content)], env=env, check=True, cwd=a.src,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        got = json.loads(out)
        print(f"[site discovery] {a.entries} entries, {name}: {got['seconds']:.1f} s, {got['cpu']:.1f} s CPU "
              f"(load {got['load']:.1f}; code from {got['code']})", flush=True)

    step("first build, nothing saved")
    edit_one(content)
    t0 = time.perf_counter()
    sync_content(content, open_store(store_url))
    print(f"[site discovery] one entry edited and synced in {time.perf_counter() - t0:.1f} s")
    step("new process after the sync")


if __name__ == "__main__":
    main()
