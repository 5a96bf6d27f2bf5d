"""Edit-to-in-store latency of `kb sync --watch` on a generated corpus.

    python bench/watch.py [--entries 10000] [--edits 100] [--store URL] [--debounce 0.15]

Generates the corpus once with ../shared/tools/gen_corpus.py (cached under
bench/out/), copies it to a scratch folder, syncs it fully, starts a Watcher
and then, one at a time, appends a line to a random entry and waits until the
store holds the new version. Prints p50/p95/max latency (debounce included)
and the ratio of p95 to the 1 s target.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from kbsync.paths import slugify  # noqa: E402
from kbsync.store import open_store  # noqa: E402
from kbsync.sync import sync_content  # noqa: E402
from kbsync.watch import Watcher  # noqa: E402

GEN = ROOT.parent / "shared" / "tools" / "gen_corpus.py"
TARGET_P95 = 1.0


def corpus(entries: int) -> Path:
    out = HERE / "out" / f"corpus-{entries}"
    if not (out / "truth.json").exists():
        subprocess.run([sys.executable, str(GEN), str(out), "--entries", str(entries)], check=True,
                       capture_output=True)
    return out / "content"


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=100)
    ap.add_argument("--store", default=None, help="store URL (default: a scratch SQLite file)")
    ap.add_argument("--debounce", type=float, default=0.15)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    src = corpus(args.entries)
    work = HERE / "out" / f"watch-{args.entries}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(src, work / "content")
    content = work / "content"
    store = open_store(args.store or f"sqlite://{work / 'kb.sqlite'}")

    t0 = time.perf_counter()
    sync_content(content, store, full=True)
    initial = time.perf_counter() - t0
    files = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))
    rng = random.Random(args.seed)
    latencies: list[float] = []
    # The check runs in the watcher's on_synced callback, timestamped when the sync commits,
    # so the benchmark does not poll the store (and steal the GIL) while the sync runs.
    state: dict = {"slug": None, "before": None, "done_at": None}
    landed = threading.Event()

    def on_synced(report) -> None:
        t = time.perf_counter()
        slug = state["slug"]
        if slug and not landed.is_set() and (store.get(slug) or {}).get("hash") != state["before"]:
            state["done_at"] = t
            landed.set()

    with Watcher(content, store, debounce=args.debounce, on_synced=on_synced) as watcher:
        time.sleep(0.5)
        for i in range(args.edits):
            rel = rng.choice(files)
            state["slug"], state["before"] = slugify(rel), (store.get(slugify(rel)) or {}).get("hash")
            landed.clear()
            with open(content / rel, "a", encoding="utf-8") as fh:
                fh.write(f"\nbench edit {i} mentions [[{Path(rng.choice(files)).stem}]]\n")
            t_edit = time.perf_counter()
            if not landed.wait(30):
                raise SystemExit(f"edit {i} of {rel} never reached the store")
            latencies.append(state["done_at"] - t_edit)
            time.sleep(rng.uniform(0.0, 0.1))
        syncs, failures = watcher.syncs, watcher.failures
    store.close()
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    result = {"entries": args.entries, "edits": args.edits, "store": store.url.split(":", 1)[0],
              "debounce_s": args.debounce, "initial_full_sync_s": round(initial, 2),
              "p50_s": round(p50, 3), "p95_s": round(p95, 3), "max_s": round(max(latencies), 3),
              "syncs": syncs, "failed_syncs": failures, "p95_vs_target": round(p95 / TARGET_P95, 2)}
    print(json.dumps(result))
    print(f"watch latency on {args.entries} entries: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
          f"(p95/target = {p95 / TARGET_P95:.2f}, target {TARGET_P95:.0f} s incl. {args.debounce * 1000:.0f} ms debounce)")


if __name__ == "__main__":
    main()
