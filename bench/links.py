#!/usr/bin/env python3
"""One file with very many links: `kb build` time for 20,000 and 100,000 links (one paragraph, 20 a line).

    python bench/links.py [--sizes 20000 100000] [--out bench/out/links]

Target: linear, i.e. the 100k build takes about 5x the 20k build's link-dependent time (it took 288 s vs 11.7 s).
"""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def content(root: Path, links: int) -> Path:
    root.mkdir(parents=True)
    for i in range(50):
        (root / f"t{i}.md").write_text(f"# T{i}\n", encoding="utf-8")
    lines = (" ".join(f"[[t{(i + j) % 50}]]" for j in range(20)) for i in range(0, links, 20))
    (root / "big.md").write_text("# Big\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return root


def build(out: Path, links: int) -> float:
    from site_plugins.config import build_site

    src = content(out / f"c{links}", links)
    t0 = time.perf_counter()
    build_site(src, out / f"site{links}", store_url=f"sqlite:///{out / f'kb{links}.sqlite'}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "links")
    args = ap.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    shutil.rmtree(args.out, ignore_errors=True)
    base = build(args.out, 0)
    print(f"0 links: {base:.1f} s")
    times = {}
    for n in args.sizes:
        times[n] = build(args.out, n)
        print(f"{n} links: {times[n]:.1f} s ({(times[n] - base) / n * 1e6:.0f} us a link above the empty build)")
    lo, hi = min(times), max(times)
    print(f"ratio {hi}/{lo} links: {times[hi] / times[lo]:.2f}x time for {hi / lo:.1f}x links")


if __name__ == "__main__":
    main()
