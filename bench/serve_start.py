#!/usr/bin/env python3
"""`kb serve` start-up benchmark: when /api/health, the first page and a complete site answer.

    python bench/serve_start.py [--entries 10000] [--corpus DIR] [--out bench/out/serve] [--skip-fresh] [--first-only]

Two starts over one copy of the corpus: a first start on a fresh folder (no store, no site; its "first page" is
the first page the behind build writes, found on disk and requested over HTTP) that runs until the site is
complete, then a restart over that synced store and built site (its first page is the home page `/`).
Targets: /api/health <= 5 s, first page <= 10 s after the process starts. The serving process's CPU time at the
moment health answers is printed beside the wall time (the machine is shared), with the load average.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"health": 5.0, "page": 10.0, "ready": None, "complete": None}
LABELS = {"health": "/api/health answers", "page": "first page served", "ready": "/api/ready read model",
          "complete": "site complete"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu(pid: int) -> float:
    """User + system CPU seconds of `pid` so far (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _first_page(site: Path) -> str | None:
    """The URL of some page already written under `site` (the home page first), or None."""
    if (site / "index.html").is_file():
        return "/"
    for folder, dirs, files in os.walk(site):
        dirs[:] = [d for d in dirs if d not in ("assets", "search", "tags")]
        if "index.html" in files and Path(folder) != site:
            return "/" + Path(folder).relative_to(site).as_posix() + "/"
    return None


def time_serve_start(out: Path, content: Path, site: Path, store_url: str, *, label: str = "restart",
                     until_complete: bool = False, timeout: float = 1800) -> dict[str, float]:
    """Start `kb serve`, poll it, print when each milestone answered; stop it (after the site is complete when
    `until_complete`, else once health and a page answered)."""
    import httpx

    port = _free_port()
    env = dict(os.environ, KB_CONTENT_DIR=str(content), KB_STORE_URL=store_url, KB_KEYWORDS="false",
               KB_SITE_DIR=str(site), KB_LOG_LEVEL="INFO")
    load = os.getloadavg()[0]
    with open(out / f"serve-{label}.log", "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "kbsync", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=log, stderr=log)
    seen: dict[str, float] = {}
    cpu_at_health = float("nan")
    page_url = None
    wanted = set(TARGETS) if until_complete else {"health", "page"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            while not wanted <= set(seen) and time.perf_counter() - t0 < timeout and proc.poll() is None:
                if "page" not in seen and page_url is None:
                    page_url = _first_page(site) if label != "restart" else "/"
                for name, url in (("health", "/api/health"), ("page", page_url), ("ready", "/api/ready"),
                                  ("complete", "/api/ready")):
                    if name in seen or url is None:
                        continue
                    try:
                        r = http.get(url)
                    except httpx.TransportError:
                        break  # not listening yet
                    ok = r.status_code == 200  # /api/ready: 200 once the read model is loaded
                    if name == "complete":
                        ok = r.json().get("site") == "complete"
                    if ok:
                        seen[name] = time.perf_counter() - t0
                        if name == "health":
                            cpu_at_health = _cpu(proc.pid)
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(60)
    print(f"kb serve {label}: load {load:.1f} at start, {os.getloadavg()[0]:.1f} at end; "
          f"server CPU {cpu_at_health:.2f} s when health answered; first page {page_url}")
    for name, target in TARGETS.items():
        if name not in wanted and name not in seen:
            continue  # not waited for
        t = seen.get(name)
        verdict = "" if target is None else ("OK" if t is not None and t <= target else "MISS")
        print(f"  {LABELS[name]:<22} {'-' if t is None else f'{t:7.2f} s':>9}"
              f"{'' if target is None else f'   target <= {target:g} s  {verdict}'}", flush=True)
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, help="a folder made by kbsync.testing.corpus to copy (its "
                    "content/); default: generate --entries")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "serve")
    ap.add_argument("--skip-fresh", action="store_true", help="reuse --out's store and site: time the restart only")
    ap.add_argument("--first-only", action="store_true",
                    help="stop the fresh start once health and a first page answered (no restart; the server "
                         "runs from the current directory's code, so another checkout can be timed)")
    a = ap.parse_args()
    out = a.out.resolve()
    content, site = out / "content", out / "site"
    store = f"sqlite:///{out / 'kb.sqlite'}"
    if not a.skip_fresh:
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        if a.corpus:
            shutil.copytree(a.corpus / "content", content)
        else:
            sys.path.insert(0, str(ROOT))
            from kbsync.testing.corpus import generate

            generate(out, a.entries)
        time_serve_start(out, content, site, store, label="fresh", until_complete=not a.first_only)
    if not a.first_only:
        time_serve_start(out, content, site, store, label="restart", until_complete=True)


if __name__ == "__main__":
    main()
