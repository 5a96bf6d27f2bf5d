#!/usr/bin/env python3
"""Regex timing benchmark: every pattern and parse step over 100 KB adversarial inputs, against a wall cap.

    python bench/regex_linear.py [--cap 5] [--top 10]

The unit test (tests/hostile/test_regex_linear.py) only compares times taken in the same run (linear
scaling); this prints the absolute seconds, the slowest inputs first, with CPU time and the load average
beside them, and exits 1 when any input takes over `--cap` seconds of CPU (the issue 9 cap was 5 s wall).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cap", type=float, default=5.0, help="most CPU seconds any one input may take")
    ap.add_argument("--top", type=int, default=10, help="slowest inputs to print")
    a = ap.parse_args()
    from tests.hostile.test_regex_linear import STEPS, _adversarial, _patterns, _prose, _run_pattern

    subjects = [(name, _run_pattern(p)) for name, p in _patterns()] + STEPS
    inputs = [("prose", _prose()), *_adversarial()]
    rows = []
    load0 = os.getloadavg()
    for name, fn in subjects:
        for what, s in inputs:
            w0, c0 = time.perf_counter(), time.process_time()
            fn(s)
            rows.append((time.process_time() - c0, time.perf_counter() - w0, name, what))
    rows.sort(reverse=True)
    print(f"regex timing: {len(subjects)} patterns and steps x {len(inputs)} inputs of {len(inputs[0][1]):,} "
          f"characters; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(before: {' '.join(f'{x:.2f}' for x in load0)})")
    for cpu, wall, name, what in rows[:a.top]:
        print(f"  {cpu * 1000:8.1f} ms CPU {wall * 1000:8.1f} ms wall  {name}  {what}")
    over = [r for r in rows if r[0] > a.cap]
    print(f"  {len(over)} over the {a.cap:g} s CPU cap; total {sum(r[0] for r in rows):.1f} s CPU")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
