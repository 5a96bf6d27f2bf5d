#!/usr/bin/env python3
"""graph.json and the local graph files after one edit, updated in place (graph_site.publish_graph) vs
recomputed whole with a fresh layout (what a rebuild did before), on one generated corpus.

    python bench/graph_edit.py [--entries 10000] [--edits 20] [--out bench/out/graph-edit]

The corpus is kbsync.testing.corpus's (`<out>/corpus-<entries>`, generated when missing; a symlink to a
pre-generated one with the default seed is reused).

Edits are made to the records in memory (the sync is not timed): for each kind (link added, link removed,
title, tag, visibility, body) `--edits` of them, each timed as the editing path runs it (the changed slugs
given) and as a build runs it (changed slugs found by comparing every record). Prints p50/p95 wall and CPU
seconds, files written, the time the full layout behind takes to settle, the cold cost of writing every
local graph file and their sizes, and the load average (the machine is shared).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ["link added", "link removed", "title", "tag", "visibility", "body"]
HIDDEN: list[str] = []


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def edit(rng: random.Random, index, kind: str, k: int) -> str:  # noqa: ANN001
    slugs = sorted(index.public)
    slug = HIDDEN.pop() if kind == "visibility" and HIDDEN else rng.choice(slugs)
    r = copy.deepcopy(index.records[slug])
    if kind == "link added":
        r["links"] = [*(r.get("links") or []), {"target": rng.choice(slugs), "kind": "link", "raw": f"[[bench {k}]]"}]
    elif kind == "link removed":
        links = r.get("links") or []
        drop = next((i for i, ln in enumerate(links) if ln.get("target") in index.public), len(links))
        r["links"] = links[:drop] + links[drop + 1:]
    elif kind == "title":
        r["title"] = f"Bench title {k}"
    elif kind == "tag":
        r["tags"] = [*(r.get("tags") or []), f"bench-{k}"]
    elif kind == "visibility":  # hidden, then shown again
        r["visibility"] = "public" if r.get("visibility") == "private" else "private"
        if r["visibility"] == "private":
            HIDDEN.append(slug)
    else:
        r["hash"] = f"bench-{k}"
    index.records[slug] = r
    index.by_path[r["path"]] = r
    (index.public.add if r.get("visibility") == "public" else index.public.discard)(slug)
    return slug


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "graph-edit")
    ap.add_argument("--skip-before", action="store_true", help="skip the whole-graph recompute (23 s at 10k)")
    a = ap.parse_args()
    import site_plugins.graph_layout as gl
    from kbsync.testing.corpus import ensure
    from site_plugins.graph import graph_json
    from site_plugins.graph_site import publish_graph, settle
    from site_plugins.index import SiteIndex, sync_and_load

    store = a.out / f"kb-{a.entries}.sqlite"
    a.out.mkdir(parents=True, exist_ok=True)
    content, _ = ensure(a.out / f"corpus-{a.entries}", a.entries)
    t0 = time.perf_counter()
    records, rev, att = sync_and_load(str(content), f"sqlite:///{store}", sync=not store.exists())
    index = SiteIndex.from_records(records, rev, att)
    print(f"{len(index.public):,} public entries of {len(records):,} (loaded in {time.perf_counter() - t0:.1f} s)")
    site = a.out / "site"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir()

    t0, c0 = time.perf_counter(), cpu()
    outputs = publish_graph(str(site), index, incremental=False)
    cold, cold_cpu = time.perf_counter() - t0, cpu() - c0
    sizes = sorted((site / p).stat().st_size for p in outputs if p.endswith("kb-local.json"))
    big = (site / "graph.json").stat().st_size
    print(f"cold (full layout + every file): {cold:.1f} s wall, {cold_cpu:.1f} s CPU; graph.json {big / 1e6:.2f} MB; "
          f"{len(sizes):,} kb-local.json: median {statistics.median(sizes) / 1e3:.1f} KB, max {sizes[-1] / 1e3:.1f} KB, "
          f"total {sum(sizes) / 1e6:.0f} MB")

    rng = random.Random(7)
    if not a.skip_before:  # before: a rebuild after a link edit recomputed the graph and its layout whole
        edit(rng, index, "link added", 0)
        gl._last[:] = [None, []]
        t0, c0 = time.perf_counter(), cpu()
        (site / "graph-before.json").write_text(graph_json(index), encoding="utf-8")
        print(f"before: graph.json after one link edit (whole graph + layout): {time.perf_counter() - t0:.2f} s wall, "
              f"{cpu() - c0:.2f} s CPU")
    publish_graph(str(site), index, incremental=True)
    t0 = time.perf_counter()
    settle(600)
    rows = []
    k = 1
    for mode in ("editing path (slugs given)", "build (slugs found by diff)"):
        for kind in KINDS:
            wall, cpus, written = [], [], []
            for _ in range(a.edits):
                k += 1
                slug = edit(rng, index, kind, k)
                before = {p.name: p.stat().st_mtime_ns for p in [site / "graph.json"]}
                t0, c0 = time.perf_counter(), cpu()
                publish_graph(str(site), index, incremental=True, changed=[slug] if mode.startswith("editing") else None)
                wall.append(time.perf_counter() - t0)
                cpus.append(cpu() - c0)
                written.append(before["graph.json"] != (site / "graph.json").stat().st_mtime_ns)
            rows.append((mode, kind, wall, cpus))
            print(f"{mode:<28} {kind:<13} p50 {pct(wall, 50):.3f} s  p95 {pct(wall, 95):.3f} s  "
                  f"CPU p95 {pct(cpus, 95):.3f} s  graph.json rewritten {sum(written)}/{len(written)}", flush=True)
    t0 = time.perf_counter()
    ok = settle(900)
    print(f"layout behind settled {ok} {time.perf_counter() - t0:.1f} s after the last edit (niced child process)")
    from site_plugins.graph_live import LiveGraph

    gl._last[:] = [None, []]
    same = json.loads((site / "graph.json").read_text(encoding="utf-8")) == LiveGraph.full(index).data()
    print(f"graph.json after settling equals a full build's: {same}")
    allw = [w for r in rows for w in r[2]]
    print(f"all kinds: p95 {pct(allw, 95):.3f} s (target for all affected outputs: <= 1.5 s p95 at 10,000)")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
