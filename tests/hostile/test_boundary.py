"""Attack suite, content boundary (issue 9, points 1, 5, 6, 9): `kb sync`, `kb check`, `kb build` and a real
`kb serve` over a content folder planted with symlinks to `/etc/passwd`, `/proc/self/environ`, `/etc`, `..`,
beside the folder, a loop, dangling targets and FIFOs, plus a public, a private and a draft entry.

Asserted through every door: good files all indexed and published; no private/draft/outside canary, no
`/etc/passwd` line, no environment value (`KB_API_TOKEN`) in any site file or API response (search, suggest,
entries, tags, graph, static files); neither the store nor a dot-folder in the site; each attack reported by
`kb check` as `path:0: error`; a symlink to outside made while the server runs is never indexed.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from test_watch_api import Served

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "boundary"
_spec = importlib.util.spec_from_file_location("boundary_attacks", FIXTURE / "attacks.py")
attacks = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(attacks)  # type: ignore[union-attr]

TOKEN = "TOKEN-CANARY-c0ffee1234"
# Never anywhere a public door answers (the token holder may read the private entry: not in TOKEN_LEAKS).
LEAKS = [b"PRIVATE-CANARY-7f3a", b"DRAFT-CANARY-91c2", attacks.OUTSIDE_CANARY.encode(), b"root:x:0:0", TOKEN.encode()]
TOKEN_LEAKS = [b"DRAFT-CANARY-91c2", attacks.OUTSIDE_CANARY.encode(), b"root:x:0:0", TOKEN.encode()]
GOOD = {"public.md", "twin.md"}  # entries that must be indexed (Private.md/Draft.md too, but hidden)
PUBLISHED = ["plan.pdf", "doc.pdf", "raw.pdf", "ref.pdf", "img.png", "R&D plan.pdf", "O'Brien.pdf", "q?x.pdf"]
NOT_PUBLISHED = ["secret.pdf", "secret-raw.pdf", "secret-ref.pdf", "secret.png", "draft.pdf", "unlinked.pdf",
                 "assets/style.css", "passwd.md", "environ.png", "etc/passwd", "etc/hostname", "up/kb.sqlite",
                 "up/content/Private.md", "outdir/inner.md", "secret-out.md", "dangling.png", "fifo.pdf",
                 "loop/plan.pdf", "kb.sqlite", ".kb/kb.sqlite"]


def plant(base: Path) -> Path:
    """base/content: the fixture's entries and attachments, every attack planted; base/outside: what they reach."""
    shutil.copytree(FIXTURE / "content", base / "content")
    attacks.plant(base / "content", base / "outside")
    return base


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plant(tmp_path_factory.mktemp("hostile-boundary"))


def kb(base: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KB_API_TOKEN=TOKEN, KB_KEYWORDS="false")
    return subprocess.run([sys.executable, "-m", "kbsync", *args, "--content", str(base / "content"),
                           "--store", f"sqlite://{base / 'kb.sqlite'}"], capture_output=True, text=True, env=env,
                          timeout=300, cwd=base)


def leaks(data: bytes, canaries: list[bytes] = LEAKS) -> list[bytes]:
    return [c for c in canaries if c in data]


def test_sync_check_build_hold_the_boundary(planted: Path) -> None:
    sync = kb(planted, "sync", "--json")
    assert sync.returncode == 0 and "Traceback" not in sync.stderr, sync.stderr[-3000:]

    check = kb(planted, "check")
    assert "Traceback" not in check.stderr, check.stderr[-3000:]
    lines = check.stdout.splitlines()
    for name in attacks.ATTACKS:
        assert any(line.startswith(f"{name}:0: error: ") for line in lines), (name, check.stdout)
    assert not any(line.startswith(("Public.md:", "twin.md:")) and ": possible duplicate of " not in line
                   for line in lines), check.stdout  # the twins are duplicates, and kb check rightly says so

    build = kb(planted, "build", "--out", str(planted / "site"))
    assert build.returncode == 0, build.stderr[-3000:]
    assert "FileNotFoundError" not in build.stderr and "Traceback" not in build.stderr
    site = planted / "site"
    assert (site / "public" / "index.html").is_file() and (site / "twin" / "index.html").is_file()
    assert not (site / "private").exists() and not (site / "draft").exists()
    for name in PUBLISHED:
        assert (site / name).read_text(encoding="utf-8") == f"FILE {name}\n", name
    for name in NOT_PUBLISHED:
        assert not (site / name).exists(), name
    for f in site.rglob("*"):
        assert not any(part.startswith(".") for part in f.relative_to(site).parts), f
        if f.is_file() and f.suffix != ".gz":
            data = f.read_bytes()
            assert not data.startswith(b"SQLite format"), f
            assert not leaks(data), (f, leaks(data))


def wait_status(http: httpx.Client, url: str, status: int, srv: Served, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:  # a page being rewritten by the site build may be cut off mid-response: ask again
            if http.get(url).status_code == status:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, (url, status, srv.logs()[-3000:])
        time.sleep(0.1)


def _doors(http: httpx.Client, headers: dict[str, str] | None = None) -> list[httpx.Response]:
    """Every API door, asked about every canary and about the attack paths."""
    out = [http.get("/api/entries", params={"limit": 500}, headers=headers),
           http.get("/api/tags", headers=headers), http.get("/api/graph", headers=headers)]
    for q in ["root", "passwd", "CANARY", "OUTSIDE", "PRIVATE", "DRAFT", "TOKEN", "environ", "bin bash", "nologin"]:
        out.append(http.get("/api/search", params={"q": q}, headers=headers))
        out.append(http.get("/api/suggest", params={"q": q}, headers=headers))
    for slug in ["passwd", "secret-out", "outdir/inner", "up/content/public", "etc/passwd", "dangling", "fifo",
                 "loop/public", "draft"]:
        out.append(http.get(f"/api/entries/{slug}", headers=headers))
    return out


def test_serve_holds_the_boundary_through_every_door(tmp_path: Path) -> None:
    base = plant(tmp_path)
    srv = Served(base, base / "content", KB_API_TOKEN=TOKEN)
    try:
        srv.wait_healthy()
        srv.wait_site_builds_done(60)
        http = srv.http
        public = http.get("/api/entries/public")
        assert public.status_code == 200 and public.json()["title"] == "Public page"
        assert http.get("/api/entries/twin").status_code == 200
        assert http.get("/api/entries/private").status_code == 404
        for r in _doors(http):
            assert not leaks(r.content), (r.request.url, leaks(r.content))
        for r in _doors(http, {"Authorization": f"Bearer {TOKEN}"}):  # the token reads private, nothing else
            assert not leaks(r.content, TOKEN_LEAKS), (r.request.url, leaks(r.content, TOKEN_LEAKS))
        assert http.get("/public/").status_code == 200
        (base / "site" / "leak.txt").symlink_to("/etc/passwd")  # the static server never follows one out
        (base / "site" / "leak-dir").symlink_to("/etc", target_is_directory=True)
        for url in ["/leak.txt", "/leak-dir/passwd"]:
            r = http.get(url)
            assert r.status_code == 404 and not leaks(r.content), url
        (base / "site" / "leak.txt").unlink()
        (base / "site" / "leak-dir").unlink()
        for name in PUBLISHED:
            r = http.get("/" + quote(name))
            assert r.status_code == 200 and r.text == f"FILE {name}\n", name
        for name in NOT_PUBLISHED:
            r = http.get("/" + quote(name))
            assert r.status_code == 404 and not leaks(r.content), (name, r.status_code)

        # While the server runs: symlinks to outside and a FIFO are never indexed; a good file is.
        content = base / "content"
        (content / "late-out.md").symlink_to(base / "outside" / "secret.md")
        (content / "late-etc").symlink_to("/etc", target_is_directory=True)
        (content / "late-passwd.md").symlink_to("/etc/passwd")
        os.mkfifo(content / "late-fifo.md")
        (content / "late-good.md").write_text("# Late good\n\nLATE-GOOD\n", encoding="utf-8")
        deadline = time.monotonic() + 20
        while http.get("/api/entries/late-good").status_code != 200:
            assert time.monotonic() < deadline, srv.logs()[-3000:]
            time.sleep(0.1)
        srv.wait_site_builds_done(60)
        for slug in ["late-out", "late-passwd", "late-fifo", "late-etc/passwd", "late-etc/hostname"]:
            assert http.get(f"/api/entries/{slug}").status_code == 404, slug
        for r in _doors(http):
            assert not leaks(r.content), (r.request.url, leaks(r.content))
        assert http.get("/late-etc/passwd").status_code == 404
        site = base / "site"
        for f in site.rglob("*"):
            if f.is_file() and f.suffix != ".gz":
                assert not leaks(f.read_bytes()), f

        # Point 5: with the dangling symlinks still there, a page that turns private leaves the served site.
        (content / "flipme.md").write_text("# Flip me\n\nFLIP-TEXT\n", encoding="utf-8")
        wait_status(http, "/flipme/", 200, srv)
        (content / "flipme.md").write_text("---\nprivate: true\n---\n# Flip me\n\nFLIP-TEXT\n", encoding="utf-8")
        wait_status(http, "/flipme/", 404, srv)
        assert "site build failed" not in srv.logs(), srv.logs()[-5000:]
        assert "Traceback" not in srv.logs(), srv.logs()[-5000:]
    finally:
        assert srv.stop() == 0
