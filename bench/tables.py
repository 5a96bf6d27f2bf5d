#!/usr/bin/env python3
"""Type/tag table benchmark on a generated knowledge base (kbsync.testing.corpus).

    python bench/tables.py [--entries 10000] [--out bench/out/tables] [--skip-browser]

Builds the site, then prints for each type page its rows, HTML size and the rows JSON (raw and gzipped),
and the largest tag page. Target: a type page of >= 5,000 rows is <= 200 KB of HTML. Then, in headless
Chromium (Debian's), on the largest type page: time until the table is interactive, and the time to sort,
filter and go to page 2 over every row (the first interaction includes fetching the JSON).
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "site"))

BUDGET = 200_000


def _kb(n: int) -> str:
    return f"{n / 1000:,.0f} KB"


def sizes(site: Path) -> list[tuple[str, int, int, int, int]]:
    """(url, rows, html bytes, json bytes, json gzipped bytes) of every type and tag page with a table."""
    from bs4 import BeautifulSoup

    from site_plugins.tables import rows_path

    out = []
    for page in sorted([*site.glob("types/*/index.html"), *site.glob("tags/**/index.html")]):
        html = page.read_bytes()
        url = page.parent.relative_to(site).as_posix() + "/"
        box = BeautifulSoup(html, "html.parser").select_one("[data-kb-table]")
        if box is None:
            continue
        data = (site / rows_path(url)).read_bytes()
        out.append((url, int(str(box["data-total"])), len(html), len(data), len(gzip.compress(data))))
    return out


def browser(site: Path, url: str) -> None:
    from kbsite import static_server
    from playwright.sync_api import sync_playwright

    with static_server(site) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                               args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = b.new_page(viewport={"width": 1400, "height": 900})
        t0 = time.perf_counter()
        page.goto(base + url, wait_until="load")
        page.wait_for_selector(".kb-tbl-bar")
        print(f"  load to interactive: {time.perf_counter() - t0:.2f} s")
        steps = [("sort by Title, first click (fetches the JSON)", lambda: page.click("#kb-rows thead th:nth-child(1) button")),
                 ("sort by Title, descending", lambda: page.click("#kb-rows thead th:nth-child(1) button")),
                 ("sort by Date", lambda: page.click("#kb-rows thead th:nth-last-child(2) button")),
                 ("filter 'a b'", lambda: page.fill(".kb-tbl-bar input[type=search]", "a b")),
                 ("page 2 of the matches", lambda: page.click(".kb-tbl-next"))]
        for name, act in steps:
            before = page.get_attribute("[data-kb-table]", "data-renders")
            t0 = time.perf_counter()
            act()
            page.wait_for_function(f"document.querySelector('[data-kb-table]').dataset.renders !== '{before}'")
            print(f"  {name}: {(time.perf_counter() - t0) * 1000:.0f} ms")
        heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
        print(f"  JS heap: {heap / 1e6:.1f} MB")
        b.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "tables")
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    from kbsync.testing.corpus import ensure
    from site_plugins.config import build_site

    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # the corpus has broken links on purpose
    base = args.out / str(args.entries)
    content, _ = ensure(base, args.entries)
    site = base / "site"
    secs = build_site(content, site, store_url=f"sqlite:///{base / 'kb.sqlite'}")
    print(f"{args.entries:,} entries: site built in {secs:.1f} s")
    rows = sizes(site)
    types = [r for r in rows if r[0].startswith("types/")]
    for url, n, html, data, gz in types:
        print(f"  {url:<22} {n:>6,} rows  HTML {_kb(html):>7}  JSON {_kb(data):>7} ({_kb(gz)} gzipped)")
    tags = [r for r in rows if r[0].startswith("tags/")]
    if tags:
        url, n, html, data, gz = max(tags, key=lambda r: r[1])
        print(f"  largest tag page {url}: {n:,} rows  HTML {_kb(html)}  JSON {_kb(data)} ({_kb(gz)} gzipped)")
        print(f"  all {len(tags)} tag pages: HTML {_kb(sum(r[2] for r in tags))}, JSON {_kb(sum(r[3] for r in tags))}")
    big = max(types, key=lambda r: r[1])
    verdict = "ok" if big[1] < 5000 or big[2] <= BUDGET else "OVER BUDGET"
    print(json.dumps({"largest_type_page": big[0], "rows": big[1], "html_bytes": big[2], "budget": BUDGET,
                      "verdict": verdict}))
    if not args.skip_browser:
        print(f"Chromium on /{big[0]}:")
        browser(site, big[0])


if __name__ == "__main__":
    main()
