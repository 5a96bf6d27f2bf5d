#!/usr/bin/env python3
"""Query benchmark: 100 Dataview blocks of mixed types over a generated corpus (default 10,000 entries).

    python bench/query.py [--entries 10000] [--blocks 100] [--out bench/out/query] [--site]

Measures the page model build (PageSet), then each block's parse + evaluation + HTML rendering. With
`--site`, also builds the site twice (without, then with the blocks appended to 100 entries) and reports
the build-time overhead of queries (target <= 20% of the site build). The corpus comes from the project's
own generator, `kbsync.testing.corpus`.
"""
from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATES = [  # {tag}, {tag2}, {folder} are filled from the corpus' own tags and folders
    'TABLE file.mtime AS "Changed", length(file.inlinks) AS "In" FROM #{tag} SORT file.mtime DESC LIMIT 50',
    "TABLE date, file.folder FROM #{tag} WHERE date > date(2026-06-01) SORT date DESC, file.name LIMIT 50",
    'LIST FROM "{folder}" WHERE contains(lower(file.name), "a") SORT file.name LIMIT 30',
    "LIST FROM #{tag} AND -#{tag2} LIMIT 40",
    "TABLE length(rows) AS n FROM #{tag} GROUP BY file.folder",
    "TABLE WITHOUT ID t AS tag, length(rows) AS n FROM #{tag} FLATTEN file.etags AS t GROUP BY t "
    "SORT length(rows) DESC LIMIT 10",
    "TASK FROM #{tag} WHERE !completed",
    "CALENDAR date FROM #{tag}",
    'LIST WITHOUT ID file.link + " (" + length(file.outlinks) + ")" FROM [[{target}]] LIMIT 25',
    'TABLE regexreplace(file.name, "[aeiou]", "") AS consonants FROM "{folder}" WHERE startswith(file.name, "S") '
    "LIMIT 20",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--blocks", type=int, default=100)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "query")
    ap.add_argument("--site", action="store_true", help="also measure the site build with and without the blocks")
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)

    out = a.out.resolve()
    from kbsync.testing.corpus import ensure

    content, _truth = ensure(out, a.entries)

    from kbsync.query import PageSet, render_html
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    store = open_store(f"sqlite:///{out / 'kb.sqlite'}")
    sync_content(content, store)
    t0 = time.perf_counter()
    records = list(store.entries())
    t_load = time.perf_counter() - t0
    store.close()
    t0 = time.perf_counter()
    pages = PageSet(records, "public")
    t_pages = time.perf_counter() - t0

    tags = [t for t, _ in Counter(t for r in records for t in r.get("tags") or []).most_common(20)]
    folders = [f for f, _ in Counter(r["path"].rsplit("/", 1)[0] for r in records if "/" in r["path"]).most_common(5)]
    targets = [r["title"] for r in sorted(records, key=lambda r: -len(r.get("backlinks") or []))[:5]]
    blocks = [TEMPLATES[i % len(TEMPLATES)].format(tag=tags[i % len(tags)], tag2=tags[(i + 7) % len(tags)],
                                                   folder=folders[i % len(folders)], target=targets[i % len(targets)])
              for i in range(a.blocks)]
    times, errors, rows = [], 0, 0
    for q in blocks:
        t0 = time.perf_counter()
        html = render_html(q, pages, this=records[0]["slug"])
        times.append(time.perf_counter() - t0)
        errors += "kb-query-error" in html
        if 'data-rows="' in html:
            rows += int(html.split('data-rows="', 1)[1].split('"', 1)[0])
    total = sum(times)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    print(f"entries                  {len(records):8d}")
    print(f"load records             {t_load:8.3f} s   (store.entries(), as the site does)")
    print(f"page model (PageSet)     {t_pages:8.3f} s   (once per build)")
    print(f"{a.blocks} query blocks          {total:8.3f} s   mean {1000 * total / len(times):.1f} ms, "
          f"p95 {1000 * p95:.1f} ms, max {1000 * max(times):.1f} ms; {rows} rows, {errors} errors")
    print(f"queries, all in          {t_pages + total:8.3f} s")
    for i, template in enumerate(TEMPLATES):  # the cost of each kind of query
        ts = times[i::len(TEMPLATES)]
        if ts:
            print(f"  {1000 * sum(ts) / len(ts):7.1f} ms  {template[:90]}")
    if not a.site:
        return

    from site_plugins.config import build_site
    from site_plugins.queries import SiteQueries

    spent = [0.0]  # seconds the build spends in query work (finding blocks, page model, evaluation, HTML)

    def timed(fn):  # noqa: ANN001, ANN202
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t0
        return wrapper

    SiteQueries.render = timed(SiteQueries.render)  # type: ignore[method-assign]
    SiteQueries.base_pages = timed(SiteQueries.base_pages)  # type: ignore[method-assign]
    site_plain = build_site(content, out / "site-plain", store_url=f"sqlite:///{out / 'site-plain.sqlite'}")
    with_q = out / "content-queries"
    if with_q.exists():
        shutil.rmtree(with_q)
    shutil.copytree(content, with_q)
    hosts = sorted(with_q.rglob("*.md"))[: a.blocks]
    for path, q in zip(hosts, blocks, strict=False):
        path.write_text(path.read_text(encoding="utf-8") + f"\n\n```dataview\n{q}\n```\n", encoding="utf-8")
    plain_spent, spent[0] = spent[0], 0.0
    site_q = build_site(with_q, out / "site-queries", store_url=f"sqlite:///{out / 'site-queries.sqlite'}")
    share = spent[0] / site_q
    print(f"site build, no queries   {site_plain:8.2f} s   (includes the first sync; query hooks {plain_spent:.2f} s)")
    print(f"site build, {a.blocks} blocks    {site_q:8.2f} s   (wall-clock difference "
          f"{100 * (site_q - site_plain) / site_plain:+.1f}%, noisy on a shared machine)")
    print(f"query work in that build {spent[0]:8.2f} s   = {100 * share:.1f}% of the build   target <= 20%  "
          f"{'OK' if share <= 0.2 else 'MISS'}")


if __name__ == "__main__":
    main()
