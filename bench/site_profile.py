#!/usr/bin/env python3
"""Where a cold kb site build spends its time: cProfile of one build, top functions by own and cumulative time.

    python bench/site_profile.py --entries 10000 [--out bench/out/profile] [--top 15] [--no-profile]
                                 [--parallel 1 0]

The store is synced first (`--no-presync` skips it) so the figures show the site build, not the sync.
Builds once per `--parallel` value (the plugin option: 1 one process, 0 one per core), in the same run;
prints wall and CPU time (this process and its reaped children: page workers, graph layout, pools) with the
load average, and the profile of the main process (workers' time shows as waiting for them): CPU time
(`time.process_time`), not wall time, since the machine is shared; then a table of that CPU per MkDocs
event (all plugins) and per phase of MkDocs' own, and the plugin's largest functions (`--table` only that).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


EVENTS = ("on_config", "on_pre_build", "on_files", "on_nav", "on_env", "on_page_read_source", "on_page_markdown",
          "on_page_content", "on_page_context", "on_post_page", "on_post_build")
PHASES = {  # MkDocs' own work (file name, function) -> label; cumulative, so events run inside are subtracted
    ("mkdocs/structure/files.py", "get_files"): "get_files (walk docs_dir)",
    ("mkdocs/structure/nav.py", "get_navigation"): "get_navigation",
    ("mkdocs/structure/pages.py", "read_source"): "page read_source (YAML front matter)",
    ("mkdocs/structure/pages.py", "render"): "Markdown conversion (Page.render)",
    ("site_plugins/mdreuse.py", "render"): "Markdown conversion (Page.render)",
    ("jinja2/environment.py", "render"): "Jinja template rendering",
    ("mkdocs/structure/files.py", "copy_static_files"): "copy static files",
    ("kbsync/discovery/enrich.py", "build"): "  of on_files: discovery build",
    ("kbsync/view/discovery.py", "backlink_contexts"): "  of on_files: backlink contexts",
    ("site_plugins/index.py", "sync_and_load"): "  of on_files: sync + load records",
    ("site_plugins/plugin_files.py", "_generate"): "  of on_files: tag/type/home/topics pages",
    ("material/plugins/search/plugin.py", "on_page_context"): "  of on_page_context: search indexing",
    ("site_plugins/searchparse.py", "on_page_context"): "  of on_page_context: search indexing",
    ("site_plugins/plugin_context.py", "add_panels"): "  of on_page_context: kb panels",
    ("site_plugins/graph_site.py", "publish_graph"): "  of on_post_build: graph files",
    ("site_plugins/graph_local.py", "refresh_all"): "  of on_post_build: local graphs (kb-local.json)",
    ("site_plugins/previews.py", "write_preview"): "  of on_page_content: kb-preview.json",
    ("site_plugins/boundary.py", "page_refs"): "  of on_page_content: referenced files",
    ("site_plugins/links.py", "render"): "  of on_page_markdown: links",
}


def event_table(stats: pstats.Stats) -> str:
    """Markdown table: CPU seconds per MkDocs event (every plugin's handler) and per phase of MkDocs' own."""
    total = max(ct for (_f, _l, _n), (_cc, _nc, _tt, ct, _c) in stats.stats.items())  # type: ignore[attr-defined]
    rows: dict[str, list[float]] = {}
    for (f, _line, name), (_cc, nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        f = f.replace(os.sep, "/")
        label = f"event {name}" if f.endswith("mkdocs/plugins.py") and name in EVENTS else next(
            (v for (suffix, fn), v in PHASES.items() if f.endswith(suffix) and name == fn), None)
        if label is not None:
            row = rows.setdefault(label, [0.0, 0])
            row[0] += ct
            row[1] += nc
    lines = ["| where (main process) | CPU s | share | calls |", "|---|---:|---:|---:|"]
    for label, (ct, nc) in sorted(rows.items(), key=lambda kv: (kv[0].startswith(" "), -kv[1][0])):
        lines.append(f"| {label} | {ct:.1f} | {100 * ct / total:.0f}% | {int(nc)} |")
    lines.append(f"| whole build | {total:.1f} | 100% | |")
    return "\n".join(lines)


def timeline(t0: float, c0: float) -> dict[str, list[float]]:
    """Record, per MkDocs event, when it first starts and last ends in this process: wall and CPU seconds from
    (t0, c0). CPU counts this process and its reaped children only: forked workers count once they end."""
    from mkdocs.plugins import PluginCollection

    marks: dict[str, list[float]] = {}  # event -> [wall start, CPU start, wall end, CPU end, calls]
    run = PluginCollection.run_event

    def timed(self, name, item=None, **kwargs):  # noqa: ANN001, ANN202
        now, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        m = marks.setdefault(name, [now, cpu, now, cpu, 0])
        try:
            return run(self, name, item, **kwargs)
        finally:
            m[2], m[3], m[4] = time.perf_counter() - t0, cpu_seconds() - c0, m[4] + 1

    PluginCollection.run_event = timed  # type: ignore[method-assign]
    return marks


STEPS = {  # --steps: the plugin's own steps, mostly inside on_files (module or module:Class -> attributes)
    "site_plugins.plugin": "sync_and_load preload_jieba excluded_paths graph_later site_nav publish_graph "
                           "typeahead_json explorer_json",
    "site_plugins.index:SiteIndex": "__post_init__", "site_plugins.queries:SiteQueries": "load",
    "site_plugins.links:LinkManager": "__init__", "site_plugins.panels:DocumentPanel": "__init__",
    "site_plugins.topics:SiteDiscovery": "__init__", "site_plugins.topics": "site_discovery backlink_contexts",
    "kbsync.discovery.profile:Profiles": "get", "kbsync.discovery.enrich:Discovery": "build",
    "site_plugins.plugin_files:FilesMixin": "_place_entries _generate _generated_pages _bound",
    "site_plugins.discovery_later": "settle", "site_plugins.plugin_beside:Beside": "wait",
    "site_plugins.parallel": "exchange _merge _start",
}


def steps(t0: float) -> dict[str, list[float]]:
    """Wrap each of STEPS to record its calls: first start, last end, summed wall and this process's CPU."""
    import importlib

    marks: dict[str, list[float]] = {}  # name -> [first start, last end, wall, CPU, calls]
    for where, attr in ((w, a) for w, names in STEPS.items() for a in names.split()):
        mod_name, _, cls = where.partition(":")
        owner = importlib.import_module(mod_name)
        owner = getattr(owner, cls) if cls else owner
        fn = owner.__dict__[attr] if cls else getattr(owner, attr)
        name = f"{cls or mod_name.rsplit('.', 1)[-1]}.{attr}"

        def timed(*args, __fn=fn, __name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
            w, c = time.perf_counter(), time.process_time()
            try:
                return __fn(*args, **kwargs)
            finally:
                m = marks.setdefault(__name, [w - t0, 0.0, 0.0, 0.0, 0])
                m[1], m[2], m[3], m[4] = time.perf_counter() - t0, m[2] + time.perf_counter() - w, \
                    m[3] + time.process_time() - c, m[4] + 1

        setattr(owner, attr, timed)
    from site_plugins import parallel

    done = parallel._worker_done

    def worker_done(run, __done=done):  # noqa: ANN001, ANN202 - a page worker's end (it exits: printed, not kept)
        print(f"| page worker {run.role} done | {time.perf_counter() - t0:.2f} | | | {time.process_time():.2f} | |",
              flush=True)
        return __done(run)

    parallel._worker_done = worker_done
    return marks


def page_profiles(out: Path) -> None:
    """Profile MkDocs' per-page read (`_populate_page`) and render (`_build_page`) apart, in every process: each
    page worker dumps its two profiles as it exits, the main process after the build (`phase_tables` sums them).
    Wrapped before the plugin's `parallel.install` keeps them, so a process profiles only the pages it does."""
    from mkdocs.commands import build as mk_build

    from site_plugins import parallel

    for f in out.glob("pages-*.pstats"):
        f.unlink()
    profs = {"read": cProfile.Profile(time.process_time), "render": cProfile.Profile(time.process_time)}

    def wrap(fn, prof):  # noqa: ANN001, ANN202
        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            prof.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                prof.disable()
        return timed

    mk_build._populate_page = wrap(mk_build._populate_page, profs["read"])
    mk_build._build_page = wrap(mk_build._build_page, profs["render"])

    def dump() -> None:
        for phase, prof in profs.items():
            prof.dump_stats(str(out / f"pages-{phase}-{os.getpid()}.pstats"))

    done = parallel._worker_done

    def worker_done(run, __done=done):  # noqa: ANN001, ANN202 - a worker exits inside: dump first
        dump()
        return __done(run)

    parallel._worker_done = worker_done
    page_profiles.dump = dump  # type: ignore[attr-defined]


def phase_tables(out: Path, top: int) -> str:
    """Top functions by own CPU of the read and render phases, summed over every process that did pages."""
    text = []
    for phase in ("read", "render"):
        files = sorted(out.glob(f"pages-{phase}-*.pstats"))
        stats = pstats.Stats(*map(str, files))
        total = sum(tt for (_cc, _nc, tt, _ct, _c) in stats.stats.values())  # type: ignore[attr-defined]
        rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]  # type: ignore[attr-defined]
        text.append(f"\n{phase}: {total:.1f} s own CPU over {len(files)} processes (profiled)\n")
        text.append("| function | own CPU s | share | calls |\n|---|---:|---:|---:|")
        for (f, line, name), (_cc, nc, tt, _ct, _c) in rows:
            where = f.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            text.append(f"| {where}:{line} {name} | {tt:.2f} | {100 * tt / total:.1f}% | {nc} |")
    return "\n".join(text)


def steps_table(marks: dict[str, list[float]]) -> str:
    """Markdown table of `steps`' marks in start order."""
    lines = ["| step (main process) | starts s | ends s | wall s | own CPU s | calls |", "|---|---:|---:|---:|---:|---:|"]
    for name, (w0, w1, w, c, n) in sorted(marks.items(), key=lambda kv: kv[1][0]):
        lines.append(f"| {name} | {w0:.2f} | {w1:.2f} | {w:.2f} | {c:.2f} | {int(n)} |")
    return "\n".join(lines)


def timeline_table(marks: dict[str, list[float]]) -> str:
    """Markdown table of `timeline`'s marks in start order."""
    lines = ["| event (main process) | starts s | ends s | CPU at start | CPU at end | calls |", "|---|---:|---:|---:|---:|---:|"]
    for name, (w0, c0, w1, c1, n) in sorted(marks.items(), key=lambda kv: kv[1][0]):
        lines.append(f"| {name} | {w0:.2f} | {w1:.2f} | {c0:.2f} | {c1:.2f} | {int(n)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "profile")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--no-presync", dest="presync", action="store_false")
    ap.add_argument("--no-profile", dest="profile", action="store_false", help="time only")
    ap.add_argument("--parallel", type=int, nargs="+", default=[0], help="`parallel` option per build (1: serial)")
    ap.add_argument("--before", action="store_true",
                    help="first a build as before issue 16: one process, the nav rendered for every page")
    ap.add_argument("--table", action="store_true", help="print only the per-event table, not the top functions")
    ap.add_argument("--discovery", choices=["auto", "before", "beside", "reads"], default="auto",
                    help="discovery before the pages, forked beside them (markers), forked beside their reads "
                         "(rendered after it), or as the plugin chooses (site_plugins/discovery_later.py MODE: up front below BESIDE_FROM)")
    ap.add_argument("--timeline", action="store_true",
                    help="print when each MkDocs event first starts and last ends (wall, CPU of the tree so far)")
    ap.add_argument("--steps", action="store_true",
                    help="with --timeline: also when the plugin's own steps (site_profile.STEPS) run, and their CPU")
    ap.add_argument("--pages-profile", action="store_true",
                    help="profile the page read and render phases in every process (page workers too), apart")
    ap.add_argument("--variant", help=argparse.SUPPRESS)  # LABEL:WORKERS, one build (run by the loop below)
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    from kbsync.testing.corpus import ensure
    from site_plugins.config import build_site

    out = a.out.resolve()
    content, _ = ensure(out, a.entries)
    store = f"sqlite:///{out / 'kb.sqlite'}"
    if a.presync and a.variant is None:
        from kbsync.store import open_store
        from kbsync.sync import sync_content

        s = open_store(store)
        try:
            sync_content(content, s)
        finally:
            s.close()
    from site_plugins import navcache

    runs = [("before", 1)] if a.before else []
    runs += [(f"parallel={w}", w) for w in a.parallel]
    if a.variant is None:  # each build in a fresh process: no cache of one (templates, graph layout) helps the next
        for label, workers in runs:
            subprocess.run([sys.executable, __file__, "--entries", str(a.entries), "--out", str(out), "--top",
                            str(a.top), "--no-presync", *([] if a.profile else ["--no-profile"]),
                            *(["--table"] if a.table else []), *(["--timeline"] if a.timeline else []),
                            *(["--steps"] if a.steps else []),
                            *(["--pages-profile"] if a.pages_profile else []),
                            "--discovery", a.discovery,
                            "--variant", f"{label}:{workers}"], check=True)
        return
    label, _, workers_text = a.variant.partition(":")
    workers = int(workers_text)
    navcache.ENABLED = label != "before"
    if a.discovery != "auto":
        from site_plugins import discovery_later

        discovery_later.MODE = a.discovery
    site = out / "site"
    if site.exists():
        shutil.rmtree(site)
    (out / "discovery.sqlite").unlink(missing_ok=True)  # a cold build: no discovery saved by an earlier run
    prof = cProfile.Profile(time.process_time) if a.profile else None  # CPU: the load would inflate wall time
    t0, c0 = time.perf_counter(), cpu_seconds()
    marks = timeline(t0, c0) if a.timeline else None
    step_marks = steps(t0) if a.steps else None
    if a.pages_profile:
        page_profiles(out)
    if prof is not None:
        prof.enable()
    build_site(content, site, store_url=store, parallel=workers)
    if prof is not None:
        prof.disable()
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cold build {a.entries} entries, {label}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
          f"peak RSS {me:.0f} MB + {kids:.0f} MB largest child, load {os.getloadavg()[0]:.2f}", flush=True)
    if marks is not None:
        print(timeline_table(marks), flush=True)
    if step_marks is not None:
        print(steps_table(step_marks), flush=True)
    if a.pages_profile:
        page_profiles.dump()  # type: ignore[attr-defined]
        print(phase_tables(out, a.top), flush=True)
    if prof is not None:
        prof.dump_stats(str(out / f"profile-{label}.pstats"))  # a closer look: python -m pstats FILE
        print(event_table(pstats.Stats(prof)), flush=True)
        for key in () if a.table else ("tottime", "cumulative"):
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(a.top)
            text = buf.getvalue()
            print(text[text.find("   ncalls"):], flush=True)


if __name__ == "__main__":
    main()
