#!/usr/bin/env python3
"""`kb serve` start-up benchmark: when /api/health, the home page, an entry page and a complete site answer.

    python bench/serve_start.py [--entries 10000] [--corpus DIR] [--out bench/out/serve] [--skip-fresh] [--first-only]
                                [--seed 1] [--pages-only]

Two starts over one copy of the corpus: a first start on a fresh folder (no store, no site) that runs until the
site is complete, then a restart over that synced store and built site. Each start times, from the moment the
process is started:
- `/api/health` answering 200 (target <= 5 s);
- the home page `/` answering 200 with the real dashboard (its "Recent changes" card; the build's early home page,
  a title over discovery's placeholder, does not count);
- one entry page a user would open, chosen at random (`--seed`) from the content's public entries before the
  server starts (its URL from its path, as the site makes it), answering 200 with its own title in the heading
  and a run of words from its Markdown body;
  "first page" (target <= 10 s) is the later of the two;
- the first page file the site build itself wrote appearing on disk (the figure this bench printed before);
- `/api/ready` (the read model is loaded) and the site complete (`/api/ready` says `site: complete`).
`--pages-only` stops the fresh start once health and both pages answered (the first file on disk can come minutes
later under load: not waited for). Each page line says whether the page came from the site folder or was rendered
on demand (`X-KB-Page`). Beside each time: the CPU seconds used so far by the server and every process it started,
and the load average.
"""
from __future__ import annotations

import argparse
import html
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"health": 5.0, "home": None, "entry": None, "page": 10.0, "disk": None, "ready": None, "complete": None}
LABELS = {"health": "/api/health answers", "home": "home page (dashboard)", "entry": "entry page (complete)",
          "page": "first page (both)", "disk": "first file on disk", "ready": "/api/ready read model",
          "complete": "site complete"}
PLAIN = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{3,}){3}")  # four plain words: what any render keeps as text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu(pid: int) -> float:
    """User + system CPU seconds of `pid`, its live descendants and the children it has reaped."""
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (f := _stat(int(d))) is not None:
            parents[int(d)] = int(f[1])
    tree, grew = {pid}, True
    while grew:
        more = {p for p, pp in parents.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0
    for p in tree:
        f = _stat(p)
        if f is not None:
            total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])  # own + reaped children's
    return total / os.sysconf("SC_CLK_TCK")


def _first_file(site: Path) -> str | None:
    """The URL of some page the build already wrote under `site` (the home page first), or None."""
    if (site / "index.html").is_file():
        return "/"
    for folder, dirs, files in os.walk(site):
        dirs[:] = [d for d in dirs if d not in ("assets", "search", "tags")]
        if "index.html" in files and Path(folder) != site:
            return "/" + Path(folder).relative_to(site).as_posix() + "/"
    return None


def pick_entry(content: Path, seed: int) -> tuple[str, str, str]:
    """(URL, title as the page prints it, four words of its body) of a random public entry with a title and
    plain prose, read from the content's files (not from the site or the store)."""
    sys.path.insert(0, str(ROOT))
    from kbsync.parse import parse_bytes
    from kbsync.paths import slugify, url_for

    paths = sorted(p for p in content.rglob("*.md") if not any(x.startswith(".") for x in p.parts))
    rng = random.Random(seed)
    for path in rng.sample(paths, len(paths)):
        rel = path.relative_to(content).as_posix()
        if rel.startswith("_templates/"):
            continue
        parsed = parse_bytes(rel, path.read_bytes())
        meta = parsed.meta
        if meta.get("draft") or meta.get("private") or "permalink" in parsed.fields or not meta.get("title"):
            continue
        words = [m.group(0) for line in parsed.body.splitlines() if not re.search(r"[\[\]`*_#@<|>]", line)
                 for m in [PLAIN.search(line)] if m]
        if words:
            return url_for(slugify(rel)), html.escape(str(meta["title"]), quote=False), words[len(words) // 2]
    raise SystemExit(f"no public entry with a title and plain prose under {content}")


def _complete(name: str, r: object, entry: tuple[str, str, str]) -> bool:
    """A page answered 200 with what the user came for (not the build's placeholder or a 404 page)."""
    import httpx

    assert isinstance(r, httpx.Response)
    if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
        return False
    if name == "home":
        return "kb-card-recent" in r.text
    _url, title, words = entry
    return re.search(r"<h1[^>]*>" + re.escape(title) + "</h1>", r.text) is not None and words in r.text


def time_serve_start(out: Path, content: Path, site: Path, store_url: str, entry: tuple[str, str, str], *,
                     label: str = "restart", until_complete: bool = False, disk: bool = True,
                     timeout: float = 1800) -> dict[str, float]:
    """Start `kb serve`, poll it, print when each milestone answered; stop it (after the site is complete when
    `until_complete`, else once health, both pages and a first file on disk are in)."""
    import httpx

    port = _free_port()
    env = dict(os.environ, KB_CONTENT_DIR=str(content), KB_STORE_URL=store_url, KB_KEYWORDS="false",
               KB_SITE_DIR=str(site), KB_LOG_LEVEL="INFO")
    loads = [os.getloadavg()[0]]
    with open(out / f"serve-{label}.log", "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "kbsync", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=log, stderr=log)
    seen: dict[str, float] = {}
    cpu: dict[str, float] = {}
    how: dict[str, str] = {}
    urls = {"health": "/api/health", "home": "/", "entry": entry[0], "ready": "/api/ready", "complete": "/api/ready"}
    wanted = {"health", "home", "entry"} | ({"disk"} if disk else set()) | ({"ready", "complete"} if until_complete
                                                                          else set())

    def mark(name: str) -> None:
        seen[name] = time.perf_counter() - t0
        cpu[name] = _cpu(proc.pid)

    def running() -> bool:
        return not wanted <= set(seen) and time.perf_counter() - t0 < timeout and proc.poll() is None

    def poll(name: str, url: str) -> None:  # each milestone on its own: a page that waits holds up no other
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            while name not in seen and running():
                try:
                    r = http.get(url)
                except httpx.TransportError:
                    time.sleep(0.05)  # not listening yet
                    continue
                ok = r.status_code == 200  # /api/ready: 200 once the read model is loaded
                if name == "complete":
                    ok = r.json().get("site") == "complete"
                elif name in ("home", "entry"):
                    ok = _complete(name, r, entry)
                    how[name] = r.headers.get("x-kb-page", "site folder")
                if ok:
                    mark(name)
                else:
                    time.sleep(0.05)

    pollers = [threading.Thread(target=poll, args=(name, url), daemon=True) for name, url in urls.items()
               if name in wanted]
    try:
        for t in pollers:
            t.start()
        while running():
            if "disk" not in seen and _first_file(site) is not None:
                mark("disk")
            time.sleep(0.05)
    finally:
        loads.append(os.getloadavg()[0])
        proc.terminate()
        proc.wait(60)
        for t in pollers:
            t.join(10)
    if "home" in seen and "entry" in seen:
        seen["page"] = max(seen["home"], seen["entry"])
        cpu["page"] = cpu["home" if seen["home"] >= seen["entry"] else "entry"]
    print(f"kb serve {label}: load {loads[0]:.1f} at start, {loads[1]:.1f} at end; entry page {entry[0]}")
    for name, target in TARGETS.items():
        if name not in wanted and name not in seen and name != "page":
            continue  # not waited for
        t = seen.get(name)
        verdict = "" if target is None else ("OK" if t is not None and t <= target else "MISS")
        extra = f"  ({how[name]})" if name in how and t is not None else ""
        print(f"  {LABELS[name]:<24} {'-' if t is None else f'{t:7.2f} s':>9}"
              f"{'' if name not in cpu else f'  CPU {cpu[name]:6.2f} s'}"
              f"{'' if target is None else f'   target <= {target:g} s  {verdict}'}{extra}", flush=True)
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, help="a folder made by kbsync.testing.corpus to copy (its "
                    "content/); default: generate --entries")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "serve")
    ap.add_argument("--seed", type=int, default=1, help="which entry page to ask for")
    ap.add_argument("--skip-fresh", action="store_true", help="reuse --out's store and site: time the restart only")
    ap.add_argument("--first-only", action="store_true",
                    help="stop the fresh start once health, both pages and a first file on disk answered (no "
                         "restart; the server runs from the current directory's code, so another checkout can "
                         "be timed)")
    ap.add_argument("--pages-only", action="store_true", help="with --first-only: stop once health and both pages "
                    "answered (no first file on disk)")
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
    entry = pick_entry(content, a.seed)
    if not a.skip_fresh:
        time_serve_start(out, content, site, store, entry, label="fresh", until_complete=not a.first_only,
                         disk=not (a.first_only and a.pages_only))
    if not a.first_only:
        time_serve_start(out, content, site, store, entry, label="restart", until_complete=True)


if __name__ == "__main__":
    main()
