"""Edit-to-store and edit-to-searchable latency of the watcher on a generated corpus.

    python bench/watch.py [--entries 10000] [--edits 100] [--store URL] [--debounce 0.15]
                          [--refresh-interval 0.5] [--http]

Generates the corpus once with kbsync.testing.corpus (cached under bench/out/), copies it to a scratch
folder, syncs it fully and then, one at a time, appends a line with a word no entry contains to a random public
entry. Two latencies per edit, both from the moment the write returns (debounce included):

- edit-to-store: until the store holds the new version (the watcher's sync committed);
- edit-to-searchable: until a full-text search for the new word returns the edited entry.

Default (in process): a `Watcher` plus the API's `ModelHolder` (the read model refreshed when the store revision
moves, polled every `--refresh-interval` s, and poked after each sync as `kb serve` does; `--no-poke`: polling
only, as an API replica beside a separate sync worker), searched with `ReadModel.search`, the call behind
`GET /api/search`. `--http`: a real `kb serve` subprocess on a loopback port instead (watcher, API and site
rebuilds, as users run it), searched over HTTP; its log is kept in bench/out/watch-N/serve.log. Prints p50/p95/max of both and the ratio of each
p95 to the 1 s target.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from kbsync.paths import slugify  # noqa: E402
from kbsync.store import open_store  # noqa: E402
from kbsync.sync import sync_content  # noqa: E402
from kbsync.testing.corpus import ensure  # noqa: E402
from kbsync.view.refresher import ModelHolder  # noqa: E402
from kbsync.watch import Watcher  # noqa: E402

TARGET_P95 = 1.0


def corpus(entries: int) -> Path:
    return ensure(HERE / "out" / f"corpus-{entries}", entries)[0]  # generated once, then cached


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def stats(xs: list[float]) -> dict[str, float]:
    return {"p50_s": round(statistics.median(xs), 3), "p95_s": round(percentile(xs, 0.95), 3),
            "max_s": round(max(xs), 3)}


def public_files(content: Path, store: Any) -> list[str]:
    """Entries whose edits must show up in anonymous search: public, not drafts or private ones."""
    public = {r["path"] for r in store.entries() if (r.get("visibility") or "public") == "public"}
    return sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md")
                  if p.relative_to(content).as_posix() in public)


def edit(content: Path, rel: str, i: int, link_to: str) -> str:
    word = f"zqbench{i:03}edit"  # a token no generated entry contains
    with open(content / rel, "a", encoding="utf-8") as fh:
        fh.write(f"\nbench edit {word} mentions [[{Path(link_to).stem}]]\n")
    return word


def in_process(args: argparse.Namespace, content: Path, store: Any, files: list[str],
               rng: random.Random) -> tuple[list[float], list[float], dict[str, Any]]:
    holder = ModelHolder(store, interval=args.refresh_interval)
    holder.start()
    if not holder.wait_ready(600):
        raise SystemExit("read model never loaded")
    to_store: list[float] = []
    to_search: list[float] = []
    builds: list[float] = []
    # The store check runs in the watcher's on_synced callback, timestamped when the sync commits, so the
    # benchmark does not poll the store (and steal the GIL) while the sync runs.
    state: dict[str, Any] = {"slug": None, "before": None, "done_at": None}
    landed = threading.Event()

    def on_synced(report: Any) -> None:
        t = time.perf_counter()
        if args.poke and hasattr(holder, "poke"):
            holder.poke()  # what `kb serve` does after each sync: refresh now, not at the next poll
        slug = state["slug"]
        if slug and not landed.is_set() and (store.get(slug) or {}).get("hash") != state["before"]:
            state["done_at"] = t
            landed.set()

    with Watcher(content, store, debounce=args.debounce, on_synced=on_synced) as watcher:
        time.sleep(0.5)
        for i in range(args.edits):
            rel = rng.choice(files)
            slug = slugify(rel)
            state["slug"], state["before"] = slug, (store.get(slug) or {}).get("hash")
            landed.clear()
            word = edit(content, rel, i, rng.choice(files))
            t_edit = time.perf_counter()
            if not landed.wait(60):
                raise SystemExit(f"edit {i} of {rel} never reached the store")
            to_store.append(state["done_at"] - t_edit)
            deadline = t_edit + 60
            while True:  # a search for a rare word is ~0.1 ms: polling every 10 ms costs the others nothing
                model = holder.model
                if model is not None and [h["slug"] for h in model.search(word, snippets=False)["hits"]] == [slug]:
                    to_search.append(time.perf_counter() - t_edit)
                    builds.append(model.build_seconds)
                    break
                if time.perf_counter() > deadline:
                    raise SystemExit(f"edit {i} of {rel} never became searchable")
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.1))
        extra = {"syncs": watcher.syncs, "failed_syncs": watcher.failures,
                 "read_model_rebuild_p50_s": round(statistics.median(builds), 3)}
    holder.stop()
    return to_store, to_search, extra


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def over_http(args: argparse.Namespace, work: Path, content: Path, store: Any, files: list[str],
              rng: random.Random) -> tuple[list[float], list[float], dict[str, Any]]:
    import httpx

    if not store.url.startswith("sqlite:"):
        raise SystemExit("--http measures edit-to-store through the SQLite file; use the default store")
    port = free_port()
    env = dict(os.environ, KB_CONTENT_DIR=str(content), KB_STORE_URL=store.url, KB_SITE_DIR=str(work / "site"),
               KB_REFRESH_INTERVAL=str(args.refresh_interval))
    log = open(work / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "kbsync", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    db = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, timeout=30)
    to_store: list[float] = []
    to_search: list[float] = []
    try:
        t0 = time.perf_counter()
        while True:  # start-up: no-op sync, full site build, first read model
            if proc.poll() is not None:
                raise SystemExit(f"kb serve exited with {proc.returncode}; see {work / 'serve.log'}")
            try:
                h = http.get("/api/health").json()
                if h.get("status") == "ok" and h.get("entries"):
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        startup = time.perf_counter() - t0
        time.sleep(2.0)  # the watcher's start-up re-check (and the site rebuild it triggers)

        def stored_hash(slug: str) -> str | None:
            row = db.execute("SELECT json_extract(record, '$.hash') FROM entries WHERE slug=?", (slug,)).fetchone()
            return row[0] if row else None

        for i in range(args.edits):
            rel = rng.choice(files)
            slug = slugify(rel)
            before = stored_hash(slug)
            word = edit(content, rel, i, rng.choice(files))
            t_edit = time.perf_counter()
            stored = None
            while True:  # the store (a read-only SQLite read), then /api/search over loopback, every 20 ms
                now = time.perf_counter()
                if stored is None and stored_hash(slug) != before:
                    stored = now - t_edit
                hits = http.get("/api/search", params={"q": word}).json()["hits"]
                if [h["slug"] for h in hits] == [slug]:
                    to_search.append(time.perf_counter() - t_edit)
                    to_store.append(stored if stored is not None else to_search[-1])
                    break
                if now - t_edit > 120:
                    raise SystemExit(f"edit {i} of {rel} never became searchable over HTTP")
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.1))
    finally:
        http.close()
        db.close()
        proc.terminate()
        code = proc.wait(120)
        log.close()
    return to_store, to_search, {"serve_startup_s": round(startup, 1), "serve_exit_code": code}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=100)
    ap.add_argument("--store", default=None, help="store URL (default: a scratch SQLite file)")
    ap.add_argument("--debounce", type=float, default=0.15)
    ap.add_argument("--refresh-interval", type=float, default=0.5, help="read model poll interval (API default 0.5)")
    ap.add_argument("--no-poke", dest="poke", action="store_false",
                    help="in process: leave the read model to its poll, do not poke it after each sync as kb serve does")
    ap.add_argument("--http", action="store_true", help="measure through a real `kb serve` over loopback HTTP")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    src = corpus(args.entries)
    work = HERE / "out" / f"watch-{args.entries}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(src, work / "content", symlinks=True)
    content = work / "content"
    store = open_store(args.store or f"sqlite://{work / 'kb.sqlite'}")

    t0 = time.perf_counter()
    sync_content(content, store, full=True)
    initial = time.perf_counter() - t0
    files = public_files(content, store)
    rng = random.Random(args.seed)
    if args.http:
        to_store, to_search, extra = over_http(args, work, content, store, files, rng)
    else:
        to_store, to_search, extra = in_process(args, content, store, files, rng)
    store.close()
    st, se = stats(to_store), stats(to_search)
    result = {"entries": args.entries, "edits": args.edits, "store": store.url.split(":", 1)[0],
              "searched": "kb serve over HTTP" if args.http else "in-process ReadModel (ModelHolder)",
              "debounce_s": args.debounce, "refresh_interval_s": args.refresh_interval,
              "poked_after_sync": args.http or args.poke,
              "initial_full_sync_s": round(initial, 2),
              "edit_to_store": st | {"p95_vs_target": round(st["p95_s"] / TARGET_P95, 2)},
              "edit_to_searchable": se | {"p95_vs_target": round(se["p95_s"] / TARGET_P95, 2)}, **extra}
    print(json.dumps(result))
    how = "kb serve, /api/search over HTTP" if args.http else "in-process read model"
    print(f"watch latency on {args.entries} entries ({how}; target p95 {TARGET_P95:.0f} s incl. "
          f"{args.debounce * 1000:.0f} ms debounce):")
    for name, s in (("edit-to-store", st), ("edit-to-searchable", se)):
        print(f"  {name:<19} p50 {s['p50_s'] * 1000:5.0f} ms  p95 {s['p95_s'] * 1000:5.0f} ms  "
              f"max {s['max_s'] * 1000:5.0f} ms  (p95/target = {s['p95_s'] / TARGET_P95:.2f})")


if __name__ == "__main__":
    main()
