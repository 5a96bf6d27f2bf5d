#!/usr/bin/env python3
"""`GET /api/query` benchmark: `FROM #tag WHERE field > x SORT y LIMIT 50` through the in-process API.

    python bench/query_api.py [--entries 100000] [--requests 200] [--out bench/out/query-api]

Generates the corpus with `kbsync.testing.corpus.ensure`, syncs it with `kbsync.sync.sync_content`, starts
the app (FastAPI TestClient, lifespan included), then times requests for both viewers after the first one
(which builds the viewer's page model, once per store revision). Target: p95 <= 50 ms.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERY = "TABLE date, file.folder FROM #{tag} WHERE date > date({day}) SORT date DESC LIMIT 50"
TOKEN = "bench-token"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "query-api")
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    out = a.out.resolve()

    from fastapi.testclient import TestClient

    from api.app import create_app
    from kbsync.settings import Settings
    from kbsync.store import open_store
    from kbsync.sync import sync_content
    from kbsync.testing.corpus import ensure

    t0 = time.perf_counter()
    content, _truth = ensure(out, a.entries)
    t_gen = time.perf_counter() - t0
    store = open_store(f"sqlite:///{out / 'kb.sqlite'}")
    t0 = time.perf_counter()
    sync_content(content, store)
    t_sync = time.perf_counter() - t0

    app = create_app(Settings(api_token=TOKEN), store)
    with TestClient(app) as client:
        t0 = time.perf_counter()
        assert app.state.holder.wait_ready(600)
        t_model = time.perf_counter() - t0
        tags = [t["tag"] for t in client.get("/api/tags").json()[:20]]  # the most used ones
        print(f"entries {len(store.names())}, corpus {t_gen:.1f} s, sync {t_sync:.1f} s, read model {t_model:.1f} s")
        for viewer, headers in (("public", {}), ("token", {"Authorization": f"Bearer {TOKEN}"})):
            t0 = time.perf_counter()
            first = client.get("/api/query", params={"q": QUERY.format(tag=tags[0], day="2020-01-01")},
                               headers=headers)
            t_first = time.perf_counter() - t0
            assert first.status_code == 200, first.text
            times, rows = [], 0
            for i in range(a.requests):
                q = QUERY.format(tag=tags[i % len(tags)], day=f"20{16 + i % 10}-0{1 + i % 9}-01")
                t0 = time.perf_counter()
                r = client.get("/api/query", params={"q": q}, headers=headers)
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200, r.text
                rows += r.json()["count"]
            print(f"{viewer:6s} first request (builds the page model) {1000 * t_first:8.0f} ms")
            # the first request per tag also builds that tag's Dataview pages (lazily, once): shown apart
            for label, ts in (("all", times), ("warm", times[len(tags):])):
                q = statistics.quantiles(ts, n=100)
                p50, p95 = q[49], q[94]
                print(f"{viewer:6s} {label:4s} {len(ts)} requests over {len(tags)} tags: p50 {1000 * p50:.1f} ms, "
                      f"p95 {1000 * p95:.1f} ms, max {1000 * max(ts):.1f} ms, {rows / a.requests:.0f} rows each; "
                      f"target p95 <= 50 ms {'OK' if p95 <= 0.05 else 'MISS'}")
    store.close()


if __name__ == "__main__":
    main()
