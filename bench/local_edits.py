#!/usr/bin/env python3
"""Local graph files after each visibility edit (hide, then show again; `--kind title`: retitled, then back) of the
entries bench/site.py's edits pick: files recomputed, files written and CPU seconds of the graph update, a line an edit.

    python bench/local_edits.py --out bench/out/ep10k [--kind visibility] [--skip 100] [--edits 20]
                                [--module site_plugins.graph_local]

`--out` is a folder bench/edit_profile.py made (`content/` and `kb.sqlite`); the records are read from its store
and edited in memory (no sync, no page render; the layout is not computed). `--skip 100`: the victims of
bench/site.py (its 100 edits of the other kinds come first), `--skip 0`: bench/edit_profile.py's. `--module`: a
copy of an older graph_local.py beside it, to compare rules.
"""
from __future__ import annotations

import argparse
import importlib
import os
import random
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="a folder bench/edit_profile.py made")
    ap.add_argument("--skip", type=int, default=100, help="victims picked before (bench/site.py: 100)")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--module", default="site_plugins.graph_local")
    ap.add_argument("--kind", choices=["visibility", "title"], default="visibility")
    a = ap.parse_args()

    from edits import _candidates

    import site_plugins.graph_live as live
    from kbsync.paths import slugify
    from kbsync.store import open_store
    from site_plugins.index import SiteIndex

    local = importlib.import_module(a.module)
    live.layout = lambda ids, pairs: [(0, 0)] * len(ids)  # positions play no part in local graphs
    live.LiveGraph.relayout_behind = lambda self: None
    store = open_store(f"sqlite:///{a.out.resolve() / 'kb.sqlite'}")
    records = {r["slug"]: dict(r) for r in store.entries()}
    store.close()
    content = a.out / "content"
    files = _candidates(content)
    rng = random.Random(7)  # bench/edits.py's
    for _ in range(a.skip):
        rng.choice(files)
    victims = [slugify(str(rng.choice(files).relative_to(content))) for _ in range(a.edits)]
    g = live.LiveGraph.full(SiteIndex.from_records(records.values()))
    graphs = local.LocalGraphs(g)
    c0 = cpu()
    n = sum(1 for _ in graphs.iter_all())
    print(f"every file: {n} in {cpu() - c0:.2f} s CPU, load {os.getloadavg()[0]:.1f}", flush=True)
    worst = []
    for v in victims:
        cols = []
        field = a.kind
        for value in ("draft" if field == "visibility" else "Bench title", records[v].get(field, "public")):
            records[v] = {**records[v], field: value}
            index = SiteIndex.from_records(records.values())
            c0 = cpu()
            ch = g.update(index, [v])
            t = cpu() - c0
            recomputed = len(graphs.affected(ch))  # (untimed: refresh finds them again)
            c0 = cpu()
            written, _gone = graphs.refresh(ch)
            t += cpu() - c0
            worst.append(t)
            cols.append(f"{recomputed:5d} recomputed {len(written):5d} written {t:.3f} s")
        print(f"{v[:44]:44} {len(g.adj.get(v, ())):4d} links | edit {cols[0]} | undo {cols[1]}", flush=True)
    worst.sort()
    print(f"CPU an edit: p50 {worst[len(worst) // 2]:.3f} p95 {worst[round(0.95 * (len(worst) - 1))]:.3f} "
          f"max {worst[-1]:.3f} s, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
