#!/usr/bin/env python3
"""Search and typeahead benchmark: build time, memory, latency (in process and over HTTP), known-item quality.

    python bench/search.py [--entries 100000] [--quality 300] [--baseline 100]

Uses a generated corpus (kbsync.testing.corpus) synced into SQLite by the real pipeline (`kbsync.sync.sync_content`), both cached
under bench/out/ (delete bench/out/corpus-N/kb.sqlite after a store schema change). Quality queries are made from truth titles and aliases and run against the read model
and, side by side in the same run, a baseline: a rapidfuzz WRatio scan over every name with a prefix bonus.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbsync.search.normalize import fold, key  # noqa: E402
from kbsync.testing.corpus import ensure  # noqa: E402
from kbsync.view.readmodel import ReadModel  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def ms(xs: list[float]) -> str:
    return f"p50 {pct(xs, 50) * 1000:6.2f} ms  p95 {pct(xs, 95) * 1000:6.2f} ms  p99 {pct(xs, 99) * 1000:6.2f} ms"


def corpus(out: Path, n: int) -> tuple[str, dict]:
    """A generated corpus (kbsync.testing.corpus) and a synced SQLite store, both cached."""
    d = out / f"corpus-{n}"
    print(f"corpus of {n} entries (generated unless cached) ...", flush=True)
    _, truth = ensure(d, n)
    db = d / "kb.sqlite"
    if db.exists() and db.stat().st_mtime < (d / "truth.json").stat().st_mtime:  # the corpus was regenerated
        for f in d.glob("kb.sqlite*"):
            f.unlink()
    url = f"sqlite://{db.resolve()}"
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    store = open_store(url)
    if store.revision() == 0:
        print("syncing with kbsync ...", flush=True)
        t = time.perf_counter()
        sync_content(d / "content", store)
        print(f"  sync took {time.perf_counter() - t:.1f} s", flush=True)
    store.close()
    return url, truth


class Baseline:
    """A rapidfuzz WRatio scan over every public title and alias, +15 when the name starts with the query."""

    def __init__(self, model: ReadModel):
        self.names: list[str] = []
        self.entry: list[int] = []
        for i, s in enumerate(model.summaries):
            if model.public[i]:
                for name in [s["title"], *s["aliases"]]:
                    self.names.append(key(name))
                    self.entry.append(i)

    def suggest(self, q: str, limit: int = 5) -> list[int]:
        qk = key(q)
        found = process.extract(qk, self.names, scorer=fuzz.WRatio, limit=50)
        scored = sorted(((sc + (15 if self.names[j].startswith(qk) else 0), j) for _, sc, j in found), reverse=True)
        out: list[int] = []
        for _, j in scored:
            if self.entry[j] not in out:
                out.append(self.entry[j])
            if len(out) == limit:
                break
        return out


def typo(word: str, r: random.Random) -> str:
    """One substitution, transposition or deletion, never on the first letter."""
    i = r.randrange(1, len(word) - 1) if len(word) > 2 else 1
    kind = r.choice(["sub", "swap", "del"])
    if kind == "sub":
        c = r.choice([x for x in "abcdefghijklmnopqrstuvwxyz" if x != word[i]])
        return word[:i] + c + word[i + 1:]
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i + 1:]


def quality(model: ReadModel, truth: dict, n: int, a_base: int, seed: int) -> None:
    r = random.Random(seed)
    base = Baseline(model)
    by_title = {s["title"]: i for i, s in enumerate(model.summaries) if model.public[i]}
    pool = [(t["title"], by_title[t["title"]]) for t in truth["entries"].values()
            if t["title"] in by_title and len(t["title"].split()) >= 2]
    sample = r.sample(pool, min(n, len(pool)))

    def ours(q: str, k: int = 5) -> list[int]:
        return [model.by_slug[h["slug"]] for h in model.suggest(q, k)["hits"]]

    base_lat: list[float] = []

    def theirs(q: str, k: int = 5) -> list[int]:
        t0 = time.perf_counter()
        out = base.suggest(q, k)
        base_lat.append(time.perf_counter() - t0)
        return out

    engines = [("read model", ours, len(sample)), ("baseline", theirs, min(a_base, len(sample)))]
    print("\nknown-item quality (queries from truth titles; baseline on the first N of the same sample)")
    two_word = [(w[0] + " " + w[1][: max(1, len(w[1]) // 2)], e) for t, e in sample for w in [t.split()]]
    typos = []
    for t, e in sample:
        words = t.split()
        long = [j for j, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long:
            j = r.choice(long)
            bad = typo(words[j], r)
            typos.append((bad, fold(words[j]), " ".join(words[:j] + [bad] + words[j + 1:]), e))
    for name, fn, k in engines:
        t0 = time.perf_counter()
        rec2 = sum(e in fn(q) for q, e in two_word[:k]) / k
        kk = min(k, len(typos))
        sane = sum(bool(top := fn(bad, 1)) and intended in fold(model.summaries[top[0]]["title"])
                   for bad, intended, _, _ in typos[:kk]) / kk
        rec_t = sum(e in fn(full) for _, _, full, e in typos[:kk]) / kk
        fracs = []
        n_keys = max(10, a_base // 5)
        for t, e in sample[: (k if name == "read model" else n_keys)]:
            typed = len(t)
            for c in range(1, len(t) + 1):
                if e in fn(t[:c]):
                    typed = c
                    break
            fracs.append(typed / len(t))
        print(f"  {name:<11} two-word recall@5 {rec2:.3f} | typo sane@1 {sane:.3f}, full-title recall@5 {rec_t:.3f}"
              f" | keystrokes median {statistics.median(fracs):.3f} (n={k}/{kk}/{len(fracs)},"
              f" {time.perf_counter() - t0:.0f} s)", flush=True)
        if name == "read model":
            print(f"  {'':<11} (keystrokes median on the baseline's {n_keys} titles: "
                  f"{statistics.median(fracs[:n_keys]):.3f})")
    print(f"  baseline latency per query at this size: {ms(base_lat)}")


def fts5(url: str, queries: list[str]) -> None:
    """The alternative engine: SQLite FTS5 (BM25, snippets) over the same entries, same search queries."""
    import sqlite3

    from kbsync.store import open_store

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(title, aliases, tags, body, tokenize='unicode61 remove_diacritics 2')")
    t0 = time.perf_counter()
    src = open_store(url).snapshot()
    db.executemany("INSERT INTO f VALUES (?, ?, ?, ?)", ((r["title"], " ".join(r.get("aliases") or []),
                   " ".join(r.get("tags") or []), r.get("text") or "") for r in src.records if r["visibility"] == "public"))
    for _ in src.edges:
        pass
    build = time.perf_counter() - t0
    lat = []
    for q in queries:
        words = " ".join('"' + w.replace('"', "") + '"' for w in q.split())  # all words, like ours
        t0 = time.perf_counter()
        db.execute("SELECT rowid, snippet(f, 3, '<mark>', '</mark>', '…', 12) FROM f WHERE f MATCH ? "
                   "ORDER BY bm25(f, 4.0, 3.0, 2.0, 1.0) LIMIT 10", (words,)).fetchall()
        lat.append(time.perf_counter() - t0)
    print(f"SQLite FTS5 for comparison: build {build:.1f} s; search with snippets {ms(lat)}")


def incremental(url: str, content: Path, model: ReadModel) -> None:
    """Edit one entry, sync, and time the incremental read model update (the file is restored afterwards)."""
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    store = open_store(url)
    f = sorted((content / "notes").glob("*.md"))[3]
    orig = f.read_text("utf-8")
    try:
        f.write_text(orig + "\nIncrementalmarker word.\n", "utf-8")
        t0 = time.perf_counter()
        sync_content(content, store)
        synced = time.perf_counter() - t0
        t0 = time.perf_counter()
        updated = ReadModel.from_store(store, previous=model)
        took = time.perf_counter() - t0
        assert updated.search("incrementalmarker")["total"] == 1 and updated.patched == 1
        print(f"one edited entry: sync {synced:.2f} s, incremental read model update {took:.2f} s "
              f"(full build {model.build_seconds:.1f} s)")
    finally:
        f.write_text(orig, "utf-8")
        sync_content(content, store)
        store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str) -> tuple[subprocess.Popen[bytes], int, float]:
    port = free_port()
    env = os.environ | {"KB_STORE_URL": url, "KB_PORT": str(port), "KB_HOST": "127.0.0.1", "KB_LOG_LEVEL": "warning"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from api.server import serve; serve()"], env=env, cwd=ROOT)
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/ready", timeout=1).status_code == 200:
                return proc, port, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server exited")
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server not ready in 300 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--quality", type=int, default=300, help="known items per quality measure")
    ap.add_argument("--baseline", type=int, default=100, help="known items for the (slow) baseline")
    ap.add_argument("--latency", type=int, default=2000, help="suggest queries for latency")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fts5", action="store_true", help="also time SQLite FTS5 on the same search queries")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    url, truth = corpus(a.out, a.entries)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")

    proc, port, ready = start_server(url)
    try:
        sp = psutil.Process(proc.pid)
        rss = sp.memory_info().rss
        peak = int(next(ln.split()[1] for ln in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                        if ln.startswith("VmHWM"))) * 1024
        print(f"API server: ready in {ready:.1f} s (process start + read model), RSS {rss / 2**20:.0f} MB "
              f"(peak {peak / 2**20:.0f} MB)")

        from kbsync.store import open_store

        store = open_store(url)
        model = ReadModel.from_store(store)
        t = model.timings
        steps = ", ".join(f"{k} {v - p:.1f}" for (k, v), p in zip(t.items(), [0.0, *t.values()], strict=False))
        print(f"read model build (in process): {model.build_seconds:.1f} s  [{steps} s] "
              f"{len(model.summaries)} entries, {model.edge_count} links")

        r = random.Random(a.seed)
        titles = [s["title"] for i, s in enumerate(model.summaries) if model.public[i]]
        queries = []
        for _ in range(a.latency):
            t_ = r.choice(titles)
            queries.append(t_[: r.randint(1, len(t_))])
        for q in queries[:50]:
            model.suggest(q, 8)
        lat = []
        for q in queries:
            t0 = time.perf_counter()
            model.suggest(q, 8)
            lat.append(time.perf_counter() - t0)
        print(f"suggest in process  ({len(lat)} keystroke prefixes): {ms(lat)}")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            for q in queries[:50]:
                c.get("/api/suggest", params={"q": q, "limit": 8})
            lat = []
            for q in queries[:1000]:
                t0 = time.perf_counter()
                c.get("/api/suggest", params={"q": q, "limit": 8}).raise_for_status()
                lat.append(time.perf_counter() - t0)
        print(f"suggest over HTTP   ({len(lat)} requests, loopback, keep-alive): {ms(lat)}")
        words = [w for t_ in titles for w in t_.split()]
        sq = [" ".join(r.choice(words) for _ in range(r.randint(1, 3))) for _ in range(500)]
        for snippets in (False, True):
            lat = []
            for q in sq:
                t0 = time.perf_counter()
                model.search(q, 10, snippets=snippets)
                lat.append(time.perf_counter() - t0)
            print(f"search {'with' if snippets else 'without'} snippets ({len(lat)} queries of 1-3 words): {ms(lat)}")
        t0 = time.perf_counter()
        model.fulltext.vocabulary(False)
        print(f"typo vocabulary (public words, built on the first typo query): {time.perf_counter() - t0:.2f} s, "
              f"{len(model.fulltext.vocabulary(False).df)} words")
        bad = [" ".join(typo(w, r) if len(w) >= 5 else w for w in q.split()) for q in sq]
        lat, fuzzy = [], 0
        for q in bad:
            t0 = time.perf_counter()
            fuzzy += model.search(q, 10)["fuzzy"]
            lat.append(time.perf_counter() - t0)
        print(f"search with typos, snippets and facets ({len(lat)} queries, {fuzzy} corrected): {ms(lat)}")
        stems = [w + "s" for w in words[:500]]
        lat = []
        for q in stems:
            t0 = time.perf_counter()
            model.suggest(q, 8)
            lat.append(time.perf_counter() - t0)
        print(f"suggest of inflected words ({len(lat)} title words + 's'): {ms(lat)}")
        if a.fts5:
            fts5(url, sq)
        incremental(url, a.out / f"corpus-{a.entries}" / "content", model)
        quality(model, truth, a.quality, a.baseline, a.seed)
        print(f"\nload average {os.getloadavg()[0]:.1f} at end")
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
