#!/usr/bin/env python3
"""Site build benchmark: plain Material vs Material+navigation.prune vs the kb site, plus an incremental rebuild.

    python bench/site.py [--entries 1000] [--out bench/out/site] [--skip-plain] [--skip-prune] [--edits 20] [--serve]
                         [--parity] [--no-panels] [--each]

Targets: kb <= 0.3x plain defaults, kb <= 1.2x prune-only, incremental rebuild after one edit <= 3 s;
edits of each kind (body, title, tag, link added/removed, visibility), timed as `kb serve`'s site worker runs
them (sync of the file, edited page published first, then the affected pages: site_plugins/followup.py, or the
incremental build when the edit changes which pages exist): edited page <= 0.3 s p95,
all affected pages <= 1.5 s p95 (the watcher's 0.15 s debounce comes on top); `--serve`: a `kb serve` restart
over the built site, then a first start on a fresh copy of the content, each answers /api/health <= 5 s and its
first page (the home page and a chosen entry's page, both complete) <= 10 s (bench/serve_start.py);
`--parity`: the site the edits left equals a fresh full build (the 10,000-entry parity check: a test of it would run far over 5 minutes).
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def material(content: Path, site: Path, prune: bool) -> float:
    """Build `content` with Material and search only (what `plugins: [search]` gives you)."""
    import yaml
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cfg = {"site_name": "bench", "docs_dir": str(content), "site_dir": str(site),
           "theme": {"name": "material", "features": ["navigation.prune"] if prune else []},
           "plugins": ["search"]}
    yml = site.parent / f"mkdocs-{'prune' if prune else 'plain'}.yml"
    yml.write_text(yaml.safe_dump(cfg))
    t0 = time.perf_counter()
    config = load_config(str(yml))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    config.plugins.on_shutdown()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "site")
    ap.add_argument("--skip-plain", action="store_true", help="skip the slow plain-Material build")
    ap.add_argument("--skip-prune", action="store_true", help="skip the Material navigation.prune build too")
    ap.add_argument("--edits", type=int, default=20, help="edits of each kind to time (0: none)")
    ap.add_argument("--serve", action="store_true", help="also time a `kb serve` start over the built site")
    ap.add_argument("--parity", action="store_true", help="after the edits, compare the site with a fresh full build")
    ap.add_argument("--no-panels", action="store_true",
                    help="skip the discovery panels' phase after each edit (tens of seconds an edit at 10,000)")
    ap.add_argument("--each", action="store_true", help="a line per edit: which ones make the p95")
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)

    out = a.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gen_peak = generate_apart(out, a.entries)
    content = out / "content"
    print(f"corpus: {a.entries} entries generated in a process apart (peak RSS {gen_peak:.0f} MB, not the build's)",
          flush=True)

    from site_plugins.config import build_site

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}  # beside the wall times: the machine is shared, CPU ratios are the steadier ones
    split: dict[str, tuple[float, float]] = {}  # user and system CPU: system time is mostly file creation
    for name, label, prune, skip in (("plain", "plain Material defaults", False, a.skip_plain),
                                     ("prune", "Material navigation.prune", True, a.skip_prune)):
        if not skip:
            cpu0 = cpu_split()
            times[name] = material(content, out / name, prune=prune)
            split[name] = since(cpu0)
            cpu[name] = sum(split[name])
            print(f"{label:<26}{times[name]:7.2f} s   ({cpu[name]:.1f} s CPU: user {split[name][0]:.1f}, system "
                  f"{split[name][1]:.1f}; load {os.getloadavg()[0]:.1f})", flush=True)
    store = f"sqlite:///{out / 'kb.sqlite'}"
    cpu0 = cpu_split()
    times["kb"] = build_site(content, out / "kb", store_url=store, incremental=True)
    split["kb"] = since(cpu0)
    cpu["kb"] = sum(split["kb"])
    print(f"kb site (all features)    {times['kb']:7.2f} s   (includes the first sync into the store; "
          f"{cpu['kb']:.1f} s CPU with its children: user {split['kb'][0]:.1f}, system {split['kb'][1]:.1f}; "
          f"load {os.getloadavg()[0]:.1f})", flush=True)
    cold = rss_peaks()  # the target is the cold build's (the corpus was generated apart: not in it)
    print(f"kb cold build peak RSS    {cold[0]:.0f} MB main + {cold[1]:.0f} MB largest child", flush=True)

    victim = sorted(content.rglob("*.md"))[len(list(content.rglob("*.md"))) // 2]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nEdited for the benchmark.\n", encoding="utf-8")
    times["incremental"] = build_site(content, out / "kb", store_url=store, incremental=True)
    print(f"kb incremental, 1 edit    {times['incremental']:7.2f} s   ({victim.relative_to(content)})", flush=True)
    html = (out / "kb" / (__import__("kbsync.paths").paths.slugify(str(victim.relative_to(content)))) / "index.html")
    assert "Edited for the benchmark." in html.read_text(encoding="utf-8"), "incremental build missed the edit"

    if a.edits:
        from edits import time_edits

        time_edits(content, out / "kb", store, a.edits, with_panels=not a.no_panels, each=a.each)
    if a.parity:
        from edits import check_parity

        check_parity(content, out / "kb", store, out / "full")
    if a.serve:  # a restart over the store and site built above, then a first start on a fresh copy
        from serve_start import pick_entry, time_serve_start

        entry = pick_entry(content, 1)  # the home page and this entry's page, complete (bench/serve_start.py)
        time_serve_start(out, content, out / "kb", store, entry, label="restart")
        fresh = out / "serve-fresh"
        shutil.copytree(content, fresh / "content")
        time_serve_start(fresh, fresh / "content", fresh / "site", f"sqlite:///{fresh / 'kb.sqlite'}", entry,
                         label="fresh")
    print()
    if "plain" in times:
        r = times["kb"] / times["plain"]
        print(f"kb / plain  = {r:5.2f}   target <= 0.30  {'OK' if r <= 0.3 else 'MISS'}   "
              f"(CPU {cpu['kb'] / cpu['plain']:.2f})")
    if "prune" in times:
        r = times["kb"] / times["prune"]
        print(f"kb / prune  = {r:5.2f}   target <= 1.20  {'OK' if r <= 1.2 else 'MISS'}   "
              f"(CPU {cpu['kb'] / cpu['prune']:.2f})")
    print(f"incremental = {times['incremental']:5.2f} s target <= 3.00  {'OK' if times['incremental'] <= 3 else 'MISS'}")
    peak_rss(cold)


def cpu_split() -> tuple[float, float]:
    """User and system CPU of this process and its reaped children (page workers, graph layout, pools). Apart,
    because a build's system time is mostly creating its files, which costs ten times more on some disks than on
    others (a journal-less ext4 that has had many files deleted) and swings from run to run there."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + kids.ru_utime, me.ru_stime + kids.ru_stime


def cpu_seconds() -> float:
    """User + system CPU of this process and its reaped children."""
    return sum(cpu_split())


def since(start: tuple[float, float]) -> tuple[float, float]:
    now = cpu_split()
    return now[0] - start[0], now[1] - start[1]


def generate_apart(out: Path, entries: int) -> float:
    """Generate the corpus in a process that is not this one's child (forked twice: the middle one exits at once, so
    the system, not this process, reaps the generator) and return the generator's peak RSS, MB. The cold build's
    peak RSS figures are getrusage's for this process and its reaped children: a generator run here, or reaped
    here, would count as the build's, and its freed heap would be what the build's forked children start from
    (at 100,000 entries it peaks at ~315 MB, 117 s: below the build's figures, so earlier figures stand)."""
    import resource
    import traceback

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the middle process
        os.close(r)
        if os.fork() == 0:  # the generator
            code = 1
            try:
                from kbsync.testing.corpus import generate

                generate(out, entries)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                os.write(w, f"{code} {peak}".encode())
                os._exit(code)
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    with os.fdopen(r, "rb") as fh:
        reply = fh.read().decode().split()  # EOF once the generator has exited (it holds the last write end)
    if not reply or reply[0] != "0":
        raise SystemExit(f"generating the corpus into {out} failed")
    return int(reply[1]) / 1024


def rss_peaks() -> tuple[float, float]:
    """Peak RSS so far, MB: this process's and its largest reaped child's (page workers, graph layout, pools)."""
    import resource

    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def peak_rss(cold: tuple[float, float]) -> None:
    """The cold build's peak RSS (the target's figure) and the whole run's (dirty rebuild and edits included)."""
    me, kids = rss_peaks()
    for label, (m, k) in (("cold build", cold), ("whole run", (me, kids))):
        total = m + k  # an upper bound: the two peaks need not coincide, and forked pages are shared
        verdict = f"target <= 2048  {'OK' if total <= 2048 else 'MISS'}" if label == "cold build" else ""
        print(f"peak RSS, {label:10} = {m:.0f} MB + {k:.0f} MB largest child = {total:.0f} MB  {verdict}".rstrip())


if __name__ == "__main__":
    main()
