#!/usr/bin/env python3
"""Memory of a cold kb site build per phase: RSS of the main process and of its largest child, sampled.

    python bench/site_memory.py --entries 10000 [--entries 20000 ...] [--out bench/out/memory] [--corpus DIR]

Each size builds in a fresh process over a store synced beforehand (so the figures show the site build;
`--sync-in-build`: the build's own first sync included, as in bench/site.py). A
thread samples the RSS of the build process and of every child (page workers, graph layout, discovery pool)
every 0.1 s from outside (a thread inside would stop the page workers forking); the phase is the MkDocs event running (page events grouped as read / render), with the records'
load split out of on_files. Prints per phase: the main process's RSS at its end and its peak during it, the
largest child's peak during it; then the whole build's peaks (`resource`), its wall and CPU time and the load.
`--corpus DIR` reuses a generated corpus folder (e.g. a symlink to a 100,000-entry corpus made once) instead of generating.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE_READ = {"pre_page", "page_read_source", "page_markdown", "page_content"}
PAGE_RENDER = {"page_context", "post_page"}


def _rss() -> float:
    """This process's RSS in MB (from /proc: no thread, which would stop the page workers forking)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Phases:
    """The build process's side: announces each phase on stdout with its RSS when the previous one ended."""

    def __init__(self) -> None:
        self.phase = "start"

    def enter(self, phase: str) -> None:
        if phase != self.phase:
            print(f"PHASE\t{self.phase}\t{_rss():.1f}\t{phase}", flush=True)
            self.phase = phase


def one(content: Path, site: Path, store: str) -> dict:
    """Build once in this process, announcing phases (the parent samples memory)."""
    from material.plugins.search.plugin import SearchPlugin
    from mkdocs import plugins

    from site_plugins import index, plugin
    from site_plugins.config import build_site

    s = Phases()
    run_event = plugins.PluginCollection.run_event

    def traced(self, name, item=None, **kw):  # noqa: ANN001, ANN202
        s.enter("pages: read" if name in PAGE_READ else "pages: render + search" if name in PAGE_RENDER else f"on_{name}")
        return run_event(self, name, item, **kw)

    def phase(name: str, fn, after: str):  # noqa: ANN001, ANN202
        def wrapped(*a, **kw):  # noqa: ANN002, ANN003, ANN202
            s.enter(name)
            try:
                return fn(*a, **kw)
            finally:
                s.enter(after)
        return wrapped

    plugins.PluginCollection.run_event = traced  # type: ignore[method-assign]
    plugin.sync_and_load = phase("on_files: records load", index.sync_and_load,  # type: ignore[attr-defined]
                                 "on_files: the rest")
    plugin.publish_graph = phase("post_build: graph files", plugin.publish_graph, "post_build")  # type: ignore
    plugin.typeahead_json = phase("post_build: typeahead", plugin.typeahead_json, "post_build")  # type: ignore
    rest = "on_files: the rest"
    for name, label in (("SiteDiscovery", "discovery"), ("LinkManager", "link manager"),
                        ("graph_later", "graph layout fork"), ("preload_jieba", "jieba preload")):
        setattr(plugin, name, phase(f"on_files: {label}", getattr(plugin, name), rest))
    for name, label in (("_generate", "generated pages"), ("_nav", "nav")):
        setattr(plugin.KbPlugin, name, phase(f"on_files: {label}", getattr(plugin.KbPlugin, name), rest))
    plugin.SiteQueries.load = phase("on_files: queries load", plugin.SiteQueries.load, rest)  # type: ignore
    SearchPlugin.on_post_build = phase("post_build: search_index.json", SearchPlugin.on_post_build,  # type: ignore
                                       "post_build")
    cpu0 = _cpu()
    t0 = time.perf_counter()
    build_site(content, site, store_url=store)
    wall = time.perf_counter() - t0
    s.enter("end")
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "cpu": _cpu() - cpu0, "peak_main": me, "peak_child": kids, "load": os.getloadavg()[0]}


def sample(cmd: list[str]) -> tuple[dict, list[tuple[str, float, float, float]]]:
    """Run the build process, sampling its RSS and its children's every 0.1 s; (its result, phase rows)."""
    import psutil

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    current = ["start"]
    rows: dict[str, list[float]] = {"start": [0.0, 0.0, 0.0]}
    result: list[dict] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("PHASE\t"):
                _, old, rss, new = line.rstrip("\n").split("\t")
                rows.setdefault(old, [0.0, 0.0, 0.0])[0] = float(rss)
                rows.setdefault(new, [0.0, 0.0, 0.0])
                current[0] = new
            elif line.startswith("{"):
                result.append(json.loads(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while proc.poll() is None:
        try:
            main = ps.memory_info().rss / 2**20
            kids = [c.memory_info().rss / 2**20 for c in ps.children(recursive=True)]
        except psutil.Error:  # a child exited between the listing and the read
            kids = []
            main = 0.0
        row = rows[current[0]]
        row[1], row[2] = max(row[1], main), max([row[2], *kids])
        time.sleep(0.1)
    reader.join()
    if proc.returncode:
        raise SystemExit(f"build failed: exit {proc.returncode}")
    return result[-1], [(p, r[0], r[1], r[2]) for p, r in rows.items() if p not in ("start", "end")]


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, action="append", help="corpus size (repeatable); default 10000")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "memory")
    ap.add_argument("--corpus", type=Path, help="a generated corpus folder to reuse (one size only)")
    ap.add_argument("--sync-in-build", action="store_true",
                    help="no sync beforehand: the build makes the first sync itself, as bench/site.py's cold build")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # CONTENT:SITE:STORE, one build (run by the loop below)
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    if a.one:
        content, site, store = a.one.split("|")
        print(json.dumps(one(Path(content), Path(site), store)))
        return
    from kbsync.store import open_store
    from kbsync.sync import sync_content
    from kbsync.testing.corpus import ensure

    for n in a.entries or [10000]:
        out = (a.out / str(n)).resolve()
        if a.corpus is not None:
            content = a.corpus.resolve() / "content"
        else:
            content, _ = ensure(out / "corpus", n)
        for old in ("store", "site"):  # a cold build: no discovery features or results saved beside a store
            shutil.rmtree(out / old, ignore_errors=True)
        (out / "store").mkdir(parents=True)
        store = f"sqlite:///{out / 'store' / 'kb.sqlite'}"
        if not a.sync_in_build:
            st = open_store(store)
            try:
                sync_content(content, st)
            finally:
                st.close()
        r, phases = sample([sys.executable, __file__, "--one", f"{content}|{out / 'site'}|{store}"])
        print(f"\n## {n} entries: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU with children, load {r['load']:.1f}; "
              f"peak RSS {r['peak_main']:.0f} MB main + {r['peak_child']:.0f} MB largest child "
              f"= {r['peak_main'] + r['peak_child']:.0f} MB")
        print("| phase | main RSS at end, MB | main peak, MB | largest child peak, MB |\n|---|---:|---:|---:|")
        for p, end, peak, child in phases:
            print(f"| {p} | {end:.0f} | {peak:.0f} | {child:.0f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
