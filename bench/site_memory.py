#!/usr/bin/env python3
"""Memory of a cold kb site build per phase: RSS of the main process and of its largest child, sampled.

    python bench/site_memory.py --entries 10000 [--entries 20000 ...] [--out bench/out/memory] [--corpus DIR]

Each size builds in a fresh process over a store synced beforehand (so the figures show the site build;
`--sync-in-build`: the build's own first sync included, as in bench/site.py). A
thread samples the RSS of the build process and of every child (page workers, graph layout, discovery pool)
every 0.1 s from outside (a thread inside would stop the page workers forking); the phase is the MkDocs event running (page events grouped as read / render), with the records'
load split out of on_files. Prints per phase: the main process's RSS at its end and its peak during it, the
largest child's peak during it, and the process tree's PSS (sampled every 0.5 s); then the whole build's peaks
(`resource`), its wall and CPU time and the load, and each child's peaks (RSS, PSS) with the phase it started in
and its name; then each forked child by role with its own peak RSS at exit (`KB_FORK_LOG`: kbsync/forkrole.py),
largest first, so the target's "largest child" is named.
The 2 GB target is judged on RSS, main + largest child (a forked child's RSS counts the pages it still shares with
its parent, so this sum over-counts); the tree's PSS (each shared page split among the processes that map it) is
printed beside it as the memory the build actually takes.
`--corpus DIR` reuses a generated corpus folder (e.g. a symlink to a 100,000-entry corpus made once) instead of generating.
`--beside-from N`: discovery forked beside the pages from N public entries (site_plugins/discovery_later.py
`BESIDE_FROM`, 20,000 by default): `--beside-from 0` gives a 10,000- or 20,000-entry build the shape of a
100,000-entry one (discovery in a forked process, its panels patched in at `on_post_build`).
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
from dataclasses import dataclass
from pathlib import Path

from benchstore import fresh_store  # noqa: E402 - bench/ is this script's folder

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
        self.pid = os.getpid()

    def enter(self, phase: str) -> None:
        if phase != self.phase and os.getpid() == self.pid:  # (a forked child runs the wrapped steps too: not its)
            sys.stdout.write(f"PHASE\t{self.phase}\t{_rss():.1f}\t{phase}\n")  # one write: never interleaved
            sys.stdout.flush()
            self.phase = phase


def one(content: Path, site: Path, store: str, beside_from: int | None = None, incremental: bool = False) -> dict:
    """Build once in this process, announcing phases (the parent samples memory)."""
    from mkdocs import plugins

    from site_plugins import index, plugin, searchout
    from site_plugins.config import build_site

    if beside_from is not None:
        plugin.discovery_later.BESIDE_FROM = beside_from

    s = Phases()
    run_event = plugins.PluginCollection.run_event

    def traced(self, name, item=None, **kw):  # noqa: ANN001, ANN202
        s.enter("pages: read" if name in PAGE_READ else "pages: render + search" if name in PAGE_RENDER else f"on_{name}")
        return run_event(self, name, item, **kw)

    def phase(name: str, fn, after: str | None):  # noqa: ANN001, ANN202 - after None: back to the phase it came from
        def wrapped(*a, **kw):  # noqa: ANN002, ANN003, ANN202
            back = after or s.phase
            s.enter(name)
            try:
                return fn(*a, **kw)
            finally:
                s.enter(back)
        return wrapped

    plugins.PluginCollection.run_event = traced  # type: ignore[method-assign]
    plugin.sync_and_load = phase("on_files: records load", index.sync_and_load,  # type: ignore[attr-defined]
                                 "on_files: the rest")
    plugin.publish_graph = phase("post_build: graph files", plugin.publish_graph, "post_build")  # type: ignore
    plugin.typeahead_json = phase("post_build: typeahead", plugin.typeahead_json, "post_build")  # type: ignore
    rest = "on_files: the rest"
    for name, label in (("SiteDiscovery", "discovery"), ("LinkManager", "link manager"),
                        ("graph_later", "graph layout fork"), ("preload_jieba", "jieba preload"),
                        ("site_nav", "nav")):
        setattr(plugin, name, phase(f"on_files: {label}", getattr(plugin, name), rest))
    plugin.KbPlugin._generate = phase("on_files: generated pages", plugin.KbPlugin._generate, rest)  # type: ignore
    # on_post_build's own steps (its largest growth of the main process): each its row
    post = "post_build"
    plugin.discovery_later.settle = phase("post_build: discovery settles", plugin.discovery_later.settle, post)  # type: ignore
    plugin.KbPlugin._mark_incremental = phase("render keys", plugin.KbPlugin._mark_incremental, None)  # type: ignore
    plugin.remember = phase("post_build: last build kept", plugin.remember, post)  # type: ignore
    layout = plugin.graph_later

    def graph_later(*a, **kw):  # noqa: ANN002, ANN003, ANN202 - its result's wait is a phase too
        got = layout(*a, **kw)
        if got is None:
            return None
        wait = phase("post_build: graph layout received", got, post)
        wait.cancel, wait.local = got.cancel, None  # type: ignore[attr-defined]

        def result() -> str:
            text = wait()
            result.local = got.local  # type: ignore[attr-defined]
            return text
        result.cancel, result.local = got.cancel, None  # type: ignore[attr-defined]
        return result

    plugin.graph_later = graph_later  # type: ignore[assignment]
    plugin.discovery_later.later = phase("on_files: discovery fork", plugin.discovery_later.later, rest)  # type: ignore
    plugin.SiteQueries.load = phase("on_files: queries load", plugin.SiteQueries.load, rest)  # type: ignore
    # the writer the plugin routes Material's index through (site_plugins/searchout.py): wrapping Material's own
    # method instead would keep that routing from recognising it, and measure Material's unstreamed writer
    searchout.on_post_build = phase("post_build: search_index.json", searchout.on_post_build, "post_build")
    cpu0 = _cpu()
    t0 = time.perf_counter()
    build_site(content, site, store_url=store, incremental=incremental)
    wall = time.perf_counter() - t0
    s.enter("end")
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "cpu": _cpu() - cpu0, "peak_main": me, "peak_child": kids, "load": os.getloadavg()[0]}


def pss(pid: int) -> float:
    """Proportional set size in MB (each shared page split among the processes mapping it); 0 when gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Child:
    """One child of the build process as sampled: the phase it was first seen in, its peaks, its name (a forked
    child names itself after its role: kbsync/forkrole.py) and its parent's pid."""

    phase: str
    rss: float = 0.0
    pss: float = 0.0
    name: str = ""
    ppid: int = 0


def sample(cmd: list[str], env: dict[str, str] | None = None,
           ) -> tuple[dict, list[tuple[str, float, float, float, float]], dict[int, Child]]:
    """Run the build process, sampling its RSS and its children's every 0.1 s and the process tree's PSS every
    0.5 s; (its result, phase rows, children by pid)."""
    import psutil

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    ps = psutil.Process(proc.pid)
    current = ["start"]
    rows: dict[str, list[float]] = {"start": [0.0, 0.0, 0.0, 0.0]}
    children: dict[int, Child] = {}
    result: list[dict] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "PHASE" and len(parts) == 4:
                _, old, rss, new = parts
                rows.setdefault(old, [0.0, 0.0, 0.0, 0.0])[0] = float(rss)
                rows.setdefault(new, [0.0, 0.0, 0.0, 0.0])
                current[0] = new
            elif line.startswith("{"):
                result.append(json.loads(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    tick = 0
    while proc.poll() is None:
        row = rows[current[0]]
        try:
            main = ps.memory_info().rss / 2**20
            kids = ps.children(recursive=True)
        except psutil.Error:
            main, kids = 0.0, []
        for c in kids:
            try:
                rss = c.memory_info().rss / 2**20
            except psutil.Error:  # exited between the listing and the read
                continue
            got = children.setdefault(c.pid, Child(current[0]))
            try:  # (again each time: a pool worker names itself only once its initializer runs)
                got.name, got.ppid = c.name(), c.ppid()
            except psutil.Error:
                pass
            got.rss = max(got.rss, rss)
            row[2] = max(row[2], rss)
        row[1] = max(row[1], main)
        if tick % 5 == 0:  # PSS walks every mapping: not every tick
            own = [(c.pid, pss(c.pid)) for c in kids]
            for pid, v in own:
                if pid in children:
                    children[pid].pss = max(children[pid].pss, v)
            row[3] = max(row[3], pss(proc.pid) + sum(v for _, v in own))
        tick += 1
        time.sleep(0.1)
    reader.join()
    if proc.returncode:
        raise SystemExit(f"build failed: exit {proc.returncode}")
    return (result[-1], [(p, r[0], r[1], r[2], r[3]) for p, r in rows.items() if p not in ("start", "end")],
            children)


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
    ap.add_argument("--beside-from", type=int, help="discovery forked beside the pages from this many public "
                    "entries (default: the plugin's, 20,000; 0: always, as at 100,000)")
    ap.add_argument("--incremental", action="store_true", help="a cold build that keeps what later edits need "
                    "(as bench/site.py's and `kb serve`'s: the plugin's dirty mode), not a one-off build")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # CONTENT|SITE|STORE|BESIDE_FROM|INCREMENTAL, one build (below)
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    if a.one:
        content, site, store, beside, inc = a.one.split("|")
        print(json.dumps(one(Path(content), Path(site), store, int(beside) if beside else None, inc == "1")))
        return
    from kbsync import forkrole
    from kbsync.testing.corpus import ensure

    for n in a.entries or [10000]:
        out = (a.out / str(n)).resolve()
        if a.corpus is not None:
            content = a.corpus.resolve() / "content"
        else:
            content, _ = ensure(out / "corpus", n)
        shutil.rmtree(out / "site", ignore_errors=True)
        store = fresh_store(out, content, sync=not a.sync_in_build)  # cold: no discovery saved beside a store
        beside = "" if a.beside_from is None else str(a.beside_from)
        job = f"{content}|{out / 'site'}|{store}|{beside}|{int(a.incremental)}"
        forks = out / "forks.tsv"  # each forked child's role and peak RSS, written as it exits (kbsync/forkrole.py)
        forks.unlink(missing_ok=True)
        r, phases, children = sample([sys.executable, __file__, "--one", job], os.environ | {forkrole.ENV: str(forks)})
        tree = max(p[4] for p in phases)
        print(f"\n## {n} entries: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU with children, load {r['load']:.1f}; "
              f"peak RSS {r['peak_main']:.0f} MB main + {r['peak_child']:.0f} MB largest child "
              f"= {r['peak_main'] + r['peak_child']:.0f} MB (the target's figure); "
              f"process tree PSS peak {tree:.0f} MB (shared pages counted once)")
        print("| phase | main RSS at end, MB | main peak, MB | largest child peak, MB | tree PSS peak, MB |\n"
              "|---|---:|---:|---:|---:|")
        for p, end, peak, child, tree_pss in phases:
            print(f"| {p} | {end:.0f} | {peak:.0f} | {child:.0f} | {tree_pss:.0f} |")
        print("\n| child (pid) | name | parent | first seen in | peak RSS, MB | peak PSS, MB |\n|---|---|---|---|---:|---:|")
        for pid, c in sorted(children.items(), key=lambda kv: -kv[1].rss)[:12]:
            print(f"| {pid} | {c.name} | {c.ppid} | {c.phase} | {c.rss:.0f} | {c.pss:.0f} |")
        exited = forkrole.read(forks)
        roles = {e.pid: e.role for e in exited}
        print("\n| forked child, by role (pid) | forked by | first seen in | peak RSS at exit, MB |\n|---|---|---|---:|")
        for e in exited[:12]:
            seen = children[e.pid].phase if e.pid in children else "(not sampled)"
            print(f"| {e.role} ({e.pid}) | {roles.get(e.ppid, 'build process')} | {seen} | {e.peak_mb:.0f} |")
        if exited:
            print(f"largest child: {exited[0].role}, {exited[0].peak_mb:.0f} MB (resource: {r['peak_child']:.0f} MB)")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
