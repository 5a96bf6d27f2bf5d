"""Lighthouse scores of the sample site: home, an entry, a type page and the graph page, offline, Debian's Chromium.

    python bench/lighthouse.py [--site DIR] [--npm-dir DIR] [--mobile] [--audits] [--pages home entry type graph]

Builds content/ with mkdocs.yml into a temporary folder (unless --site names a built site), serves it on
127.0.0.1 (gzip, as GitHub Pages and `kb serve` do), installs npm `lighthouse` into --npm-dir once (default
$KB_LIGHTHOUSE_DIR or <tmp>/kb-lighthouse; nothing lands in the repository) and prints accessibility,
best-practices and performance per page against the targets (95 / 95 / 90). Desktop preset by default;
--mobile uses Lighthouse's simulated phone. --audits lists what each page lost points on.
A benchmark, not a test: performance varies with the machine's load.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PAGES = {"home": "", "entry": "exercises/squat/", "type": "types/exercise/", "graph": "graph/"}
TARGETS = {"accessibility": 95, "best-practices": 95, "performance": 90}
COMPRESS = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt")


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped when the client accepts it (what a real host does)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        pass

    def send_head(self):  # noqa: ANN201 (stdlib signature)
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (not path.is_file() or not path.name.endswith(COMPRESS)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        if not self.path.split("?")[0].endswith("/") and path.name == "index.html":
            return super().send_head()  # the directory redirect
        import io

        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


def build_sample(out: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from site_plugins.config import build_site

    build_site(ROOT / "content", out / "site", mkdocs_yml=ROOT / "mkdocs.yml", store_url=f"sqlite:///{out / 'kb.sqlite'}")
    return out / "site"


def ensure_lighthouse(npm_dir: Path) -> Path:
    cli = npm_dir / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        npm_dir.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse into {npm_dir} (npm) ...", file=sys.stderr)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "lighthouse@12"],
                       cwd=npm_dir, check=True)
    return cli


def run(cli: Path, url: str, mobile: bool) -> dict:
    flags = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --no-first-run"
    cmd = ["node", str(cli), url, "--output=json", "--output-path=stdout", "--quiet", f"--chrome-path={CHROMIUM}",
           f"--chrome-flags={flags}", "--only-categories=accessibility,best-practices,performance",
           "--disable-full-page-screenshot"]
    if not mobile:
        cmd.append("--preset=desktop")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"lighthouse failed on {url}: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout)


def lost_points(report: dict, category: str) -> list[str]:
    audits = report["audits"]
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        a = audits.get(ref["id"], {})
        if ref.get("weight", 0) > 0 and a.get("score") is not None and a["score"] < 1:
            items = (a.get("details") or {}).get("items") or []
            nodes = [i["node"].get("selector", "") for i in items if isinstance(i.get("node"), dict)][:4]
            out.append(f"{a['title']} ({a['score']:.2f})" + (f": {', '.join(nodes)}" if nodes else ""))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--site", type=Path, help="a built site (default: build the sample content)")
    ap.add_argument("--npm-dir", type=Path, default=Path(os.environ.get("KB_LIGHTHOUSE_DIR")
                                                         or Path(tempfile.gettempdir()) / "kb-lighthouse"))
    ap.add_argument("--mobile", action="store_true", help="Lighthouse's simulated phone instead of desktop")
    ap.add_argument("--audits", action="store_true", help="list the audits that lost points")
    ap.add_argument("--pages", nargs="*", choices=list(PAGES), default=list(PAGES))
    args = ap.parse_args()
    cli = ensure_lighthouse(args.npm_dir)
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build_sample(Path(tmp))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}/"
        print(f"{'page':8} {'accessibility':>14} {'best-practices':>15} {'performance':>12}   "
              f"({'mobile' if args.mobile else 'desktop'}; targets "
              + " / ".join(str(v) for v in TARGETS.values()) + ")")
        misses = 0
        try:
            for name, path in ((n, PAGES[n]) for n in args.pages):
                report = run(cli, base + path, args.mobile)
                scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in TARGETS}
                misses += sum(scores[c] < t for c, t in TARGETS.items())
                print(f"{name:8} " + " ".join(f"{scores[c]:>{w}}{'!' if scores[c] < TARGETS[c] else ' '}"
                                              for c, w in zip(TARGETS, (13, 14, 11), strict=True)))
                if args.audits:
                    for c in TARGETS:
                        for item in lost_points(report, c):
                            print(f"    {c}: {item}")
        finally:
            httpd.shutdown()
    print(f"{misses} score(s) below target" if misses else "all scores at or above target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
