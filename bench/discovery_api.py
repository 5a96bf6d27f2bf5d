#!/usr/bin/env python3
"""`GET /api/duplicates?title=` as a form types, through the in-process API, and the core call behind it.

    python bench/discovery_api.py [--entries 10000] [--titles 40] [--out bench/out/discovery-api]

Generates the corpus with `kbsync.testing.corpus.ensure`, syncs it, starts the app (TestClient, lifespan
included), times the first discovery request (it builds the viewer's discovery once per store revision), then
types existing titles (and a typo of each) one keystroke at a time, one request per keystroke.
Target: p99 <= 20 ms per request.
"""
from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--titles", type=int, default=40)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "discovery-api")
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    out = a.out.resolve()

    from fastapi.testclient import TestClient

    from api.app import create_app
    from kbsync.settings import Settings
    from kbsync.store import open_store
    from kbsync.sync import sync_content
    from kbsync.testing.corpus import ensure
    from kbsync.view.discovery import view_for

    content, _truth = ensure(out, a.entries)
    store = open_store(f"sqlite:///{out / 'kb.sqlite'}")
    sync_content(content, store)
    titles = sorted(str(r.get("title") or "") for r in store.names() if r.get("visibility") == "public")
    rng = random.Random(7)
    picked = rng.sample(titles, min(a.titles, len(titles)))
    typed = [t[:i] for t in picked for i in range(3, len(t) + 1)]
    typed += [t[:i] for t in picked for i in range(3, len(t) + 1) if len(t) > 4 for t in [t[:2] + t[3:]]]

    app = create_app(Settings(content_dir=content), store)
    with TestClient(app) as client:
        assert app.state.holder.wait_ready(600)
        t0 = time.perf_counter()
        first = client.get("/api/duplicates", params={"title": picked[0]})
        t_first = time.perf_counter() - t0
        assert first.status_code == 200, first.text
        pairs = client.get("/api/duplicates", params={"limit": 100}).json()["pairs"]
        http, hits = [], 0
        for q in typed:
            t0 = time.perf_counter()
            r = client.get("/api/duplicates", params={"title": q})
            http.append(time.perf_counter() - t0)
            hits += bool(r.json()["hits"])
        base = []  # the harness's own cost: the typeahead route, served from memory too
        for q in typed:
            t0 = time.perf_counter()
            client.get("/api/suggest", params={"q": q})
            base.append(time.perf_counter() - t0)
        view = view_for(content, store)
        core = []
        for q in typed:
            t0 = time.perf_counter()
            view.duplicate_items(store, "public", q)
            core.append(time.perf_counter() - t0)
    print(f"entries {len(titles)} public; first request (builds discovery) {t_first:.1f} s; {len(pairs)} pairs shown")
    print(f"title check over {len(typed)} keystrokes ({hits} with a hit): HTTP p50 {pct(http, .5):.2f} ms, "
          f"p99 {pct(http, .99):.2f} ms (GET /api/suggest alike: p50 {pct(base, .5):.2f}, p99 {pct(base, .99):.2f} ms); core p50 {pct(core, .5):.2f} ms, p99 {pct(core, .99):.2f} ms "
          f"(target p99 <= 20 ms: {'ok' if pct(http, .99) <= 20 else 'MISSED'})")


if __name__ == "__main__":
    main()
