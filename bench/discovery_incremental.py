#!/usr/bin/env python3
"""The site's discovery in a rebuild after one edit: kept and updated (`incremental.refresh`) against built again.

    python bench/discovery_incremental.py [--entries 10000] [--edits body,title]

Generates (or reuses) the planted corpus with `kbsync.testing.corpus.ensure`, syncs it into a store under
bench/out, builds the public discovery once (the first build of a process), then for each kind of edit: edits one
entry, syncs, and times (a) what every site build did before: `Discovery.build` again, entry profiles reused from
the same process (b) `refresh` of the kept discovery. Prints wall and CPU seconds, what (b) recomputed in full,
and the load average (the machine is shared). (b) equals (a) field for field, topics aside: a body edit places the
edited entry in a kept topic instead of clustering again (checked here; the entries whose topic differs from a
full rerun's are counted).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    w, c = time.perf_counter(), cpu()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w, cpu() - c


EDITS = {"body": lambda t: t + "\nA fresh paragraph about barbell tempo, pauses and depth.\n",
         "title": lambda t: t.replace("---\n", "---\ntitle: Quite Another Title\n", 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--edits", default="body,title")
    a = ap.parse_args()

    from kbsync.discovery.enrich import Discovery
    from kbsync.discovery.incremental import refresh
    from kbsync.discovery.profile import Profiles
    from kbsync.store import open_store
    from kbsync.sync import sync_content
    from kbsync.testing.corpus import ensure
    from kbsync.visibility import PUBLIC

    out = ROOT / "bench" / "out"
    shared, _ = ensure(out / f"planted-{a.entries}", a.entries, planted=True)  # a symlink to a shared copy is fine
    work = out / f"discovery-incremental-{a.entries}"
    content = work / "content"
    if not content.is_dir():  # edited here, never in the (possibly shared, read-only) corpus
        shutil.copytree(shared, content)
    store = open_store(f"sqlite:///{work / 'kb.sqlite'}")
    sync_content(content, store)
    profiles = Profiles()
    kept, w, c = timed(refresh, None, store.entries(), content, PUBLIC, profiles)
    print(f"{a.entries} entries: first build {w:.1f} s wall, {c:.1f} s CPU (profiles over the cores)")
    victims = [p for p in sorted(content.rglob("*.md")) if p.read_text(encoding="utf-8").startswith("---\n")
               and "draft: true" not in p.read_text(encoding="utf-8")]
    for i, kind in enumerate(a.edits.split(",")):
        victim = victims[len(victims) // 3 + i]
        text = victim.read_text(encoding="utf-8")
        victim.write_text(EDITS[kind](text), encoding="utf-8")
        try:
            sync_content(content, store)
            records = list(store.entries())
            full, wf, cf = timed(Discovery(content, PUBLIC).build, records, profiles=profiles, workers=1)
            kept, wi, ci = timed(refresh, kept, records, content, PUBLIC, profiles, workers=1)
        finally:
            victim.write_text(text, encoding="utf-8")
        # Topics after a body edit are placed, not clustered again (kbsync/discovery/topics.py, Topics.update):
        # the other fields must equal a full build's; topics are compared and their membership change counted.
        bare = [{s: {k: v for k, v in f.items() if k != "topics"} for s, f in x.fields().items()} for x in (kept, full)]
        moved = sum(kept.found.topics_of.get(s) != full.topics_of.get(s) for s in full.related.slugs)
        print(f"one {kind} edit: built again {wf:.2f} s wall / {cf:.2f} s CPU "
              f"({', '.join(f'{k} {v:.2f}' for k, v in full.timings.items())}); kept and updated {wi:.2f} s wall / "
              f"{ci:.2f} s CPU (recomputed in full: {', '.join(kept.redone) or 'nothing'}); "
              f"{wf / max(wi, 1e-9):.1f}x; same fields (topics aside): {bare[0] == bare[1]}; same topics: "
              f"{kept.found.topics == full.topics} ({moved} entries' topic differ from a full rerun's)")
        sync_content(content, store)
        kept = refresh(kept, store.entries(), content, PUBLIC, profiles, workers=1)  # back to the unedited corpus
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
