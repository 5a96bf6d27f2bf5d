"""Edit -> page timings for bench/site.py: each kind of edit, run the way `kb serve`'s site worker runs it.

One edit = write the file, sync it (the watcher's kept Syncer, less its 0.15 s debounce; it re-checked every
file first, as the watcher does when `kb serve` starts), publish the edited page
first (`site_plugins.fastpage`), then every page it affects: re-rendered without a build (`site_plugins.followup`),
or by the incremental build when the edit changes what the nav or a redirect shows. `added` writes a new entry
beside the victim, `deleted` deletes the victim (both undone, untimed, after). A visibility, added or deleted
edit's page is the follow-up's first step (hidden: its page is gone, 404; shown: its page is written), before the pages that show it; the
edited page's figure is the time to that step (the whole build when one was needed). `targeted` counts the edits
of each kind that needed no build; `panels` is the discovery panels' recomputation that follows (the worker runs it when no
edit waits: `site_plugins.followup_discovery`).
"""
from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kbsync.paths import slugify
from kbsync.store import open_store
from kbsync.watch import default_sync

WIKI = re.compile(r"\[\[[^\]\n]+\]\]")


def _front(text: str, key: str, value: str) -> str:
    head, sep, body = text.partition("\n---\n")
    lines = [ln for ln in head.split("\n") if not ln.startswith(f"{key}:")]
    return "\n".join([*lines, f"{key}: {value}"]) + sep + body


def _toggle_draft(text: str, i: int) -> str:
    return text.replace("\ndraft: true", "") if "\ndraft: true" in text else _front(text, "draft", "true")


EDITS: dict[str, Callable[[str, int], str]] = {
    "body": lambda t, i: t + f"\nBench edit {i}.\n",
    "title": lambda t, i: _front(t, "title", f'"Bench title {i}"'),
    "tag": lambda t, i: _front(t, "tags", f"[bench-{i % 3}]"),
    "link added": lambda t, i: t + f"\nBench link [[Bench target {i}]].\n",
    "link removed": lambda t, i: WIKI.sub("removed", t, count=1),
    "visibility": _toggle_draft,
}


# Entry pages that come or go: (the file to sync, its page is there after) given the victim and the edit's number
ADDED_DELETED = ("added", "deleted")


def _structural(kind: str, victim: Path, i: int) -> tuple[Path, bool]:
    if kind == "added":
        new = victim.with_name(f"Bench added {i}.md")
        new.write_text(f"---\ntitle: Bench added {i}\ntags: [bench-added]\n---\nNew, links [[{victim.stem}]].\n",
                       encoding="utf-8")
        return new, True
    victim.unlink()
    return victim, False


def _p(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def _candidates(content: Path) -> list[Path]:
    out = []
    for p in sorted(content.rglob("*.md")):
        text = p.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---\n") and "draft:" not in text and "private:" not in text and WIKI.search(text):
            out.append(p)
    return out


def time_edits(content: Path, site: Path, store_url: str, per_kind: int, seed: int = 7,
               with_panels: bool = True, kinds: list[str] | None = None, each: bool = False,
               under: str = "") -> dict[str, list[float]]:
    """Print p50/p95 of `edited page` and `all affected` per kind of edit (`kinds`: these only, in EDITS'
    order); returns the raw figures. `with_panels` false skips the discovery panels' phase (tens of seconds an
    edit at 10,000 entries on a loaded machine); `each`: a line per edit too (which ones make the p95); `under`:
    victims from this folder of the content only (e.g. `people/`, whose entries many pages mention)."""
    from site_plugins.config import build_site
    from site_plugins.fastpage import publish_first
    from site_plugins.followup import follow_up
    from site_plugins.followup_discovery import settle_discovery
    from site_plugins.followup_warm import prepare

    def settle(changed: list[str]) -> float | None:
        """The affected pages, as the site worker brings them up to date; when no build was needed, the
        perf_counter() at which the edited page was published (a hidden one: gone), else None."""
        out = follow_up(str(site), store_url, changed)
        if out is not None:
            return out.first
        build_site(content, site, store_url=store_url, incremental=True, sync=False)
        prepare(str(site))
        return None

    def panels() -> float:
        """The discovery panels, which the worker settles once no edit waits; seconds taken."""
        t = time.perf_counter()
        if with_panels:
            settle_discovery(str(site))
        return time.perf_counter() - t

    files = [f for f in _candidates(content) if str(f.relative_to(content)).startswith(under)]
    rng = random.Random(seed)
    store = open_store(store_url)
    sync = default_sync(content)
    sync(store, None)  # untimed, as `kb serve`'s watcher starts (check_on_start): its Syncer has loaded the store
    prepare(str(site))  # as `kb serve`'s site worker does after its build, before any edit comes
    figures: dict[str, list[float]] = {}
    print(f"\n{'edit (x' + str(per_kind) + ')':<16}{'page p50':>10}{'page p95':>10}{'all p50':>10}{'all p95':>10}"
          f"{'targeted':>10}{'panels p95':>12}{'cpu all p95':>12}   load {os.getloadavg()[0]:.1f}")
    try:
        for kind in [*EDITS, *ADDED_DELETED]:
            if kinds is not None and kind not in kinds:
                continue
            edit = EDITS.get(kind)
            page_t, all_t, targeted, disc_t, cpu_t = [], [], 0, [], []  # cpu: this process's, edit to all pages
            for i in range(per_kind):
                victim = rng.choice(files)
                rel = str(victim.relative_to(content))
                slug = slugify(rel)
                old = victim.read_text(encoding="utf-8")
                t0, c0 = time.perf_counter(), time.process_time()
                if edit is not None:
                    path, there = victim, True
                    victim.write_text(edit(old, i), encoding="utf-8")
                else:
                    path, there = _structural(kind, victim, i)
                    slug = slugify(str(path.relative_to(content)))
                changed = sync(store, [str(path.relative_to(content))]).changed
                publish_first(str(site), store_url, changed)
                t_page = time.perf_counter() - t0
                first = settle(changed)
                targeted += first is not None
                t_all = time.perf_counter() - t0
                cpu_t.append(time.process_time() - c0)
                disc_t.append(panels())
                if kind in ("visibility", *ADDED_DELETED):  # the page goes or comes with the follow-up (first)
                    t_page = t_all if first is None else first - t0  # or the build
                page_t.append(t_page)
                all_t.append(t_all)
                if each:
                    print(f"  {kind} {i:2d} {slug[:48]:48} page {t_page:.3f} all {t_all:.3f} cpu {cpu_t[-1]:.3f}",
                          flush=True)
                if kind == "visibility":  # hidden: gone; shown again: there
                    assert (site / slug / "index.html").is_file() == ("\ndraft: true" not in victim.read_text()), slug
                elif edit is None:
                    assert (site / slug / "index.html").is_file() == there, slug
                else:
                    assert (site / slug / "index.html").is_file() or not os.path.isdir(site / slug), slug
                if path != victim:
                    path.unlink()
                victim.write_text(old, encoding="utf-8")  # undo, untimed, so the next edit starts from a clean site
                settle(sync(store, list({rel, str(path.relative_to(content))})).changed)
                panels()
            figures[kind] = page_t + all_t
            print(f"{kind:<16}{_p(page_t, .5):10.3f}{_p(page_t, .95):10.3f}{_p(all_t, .5):10.3f}{_p(all_t, .95):10.3f}"
                  f"{targeted:>7}/{per_kind}{_p(disc_t, .95):12.3f}{_p(cpu_t, .95):12.3f}   load {os.getloadavg()[0]:.1f}",
                  flush=True)
    finally:
        store.close()
    return figures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def time_serve_start(out: Path, content: Path, site: Path, store_url: str) -> None:
    """Start `kb serve` over the synced store and built site; print when /api/health and a page first answer."""
    import httpx

    port = _free_port()
    env = dict(os.environ, KB_CONTENT_DIR=str(content), KB_STORE_URL=store_url, KB_KEYWORDS="false",
               KB_SITE_DIR=str(site), KB_LOG_LEVEL="WARNING")
    with open(out / "serve.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kbsync", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=log, stderr=log)
    t0 = time.perf_counter()
    seen: dict[str, float] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            while len(seen) < 3 and time.perf_counter() - t0 < 600 and proc.poll() is None:
                for name, url in (("health", "/api/health"), ("page", "/"), ("complete", "/api/ready")):
                    if name in seen:
                        continue
                    try:
                        r = http.get(url)
                    except httpx.TransportError:
                        continue
                    if r.status_code == 200 and (name != "complete" or r.json().get("site") == "complete"):
                        seen[name] = time.perf_counter() - t0
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(60)
    for name, target in (("health", 5.0), ("page", 10.0), ("complete", None)):
        t = seen.get(name)
        label = {"health": "/api/health answers", "page": "first page served", "complete": "site complete"}[name]
        verdict = "" if target is None else ("OK" if t is not None and t <= target else "MISS")
        print(f"kb serve: {label:<20} {'-' if t is None else f'{t:6.2f} s':>8}"
              f"{'' if target is None else f'   target <= {target:g} s  {verdict}'}")


VOLATILE = re.compile(r'<meta name="generator"[^>]*>|\b\d{4}-\d{2}-\d{2}T[\d:.+-]+\b')  # as the parity test


def _pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): VOLATILE.sub("", p.read_text(encoding="utf-8"))
            for p in site.rglob("*") if p.suffix in (".html", ".json") and p.name != "search_index.json"}


def check_parity(content: Path, site: Path, store_url: str, full: Path) -> bool:
    """After the timed edits: the site they left equals a fresh full build in a new process, page for page (the
    10,000-entry form of tests/site/test_incremental_parity.py, too slow for the test suite)."""
    from site_plugins.graph_site import settle

    settle(600)  # graph.json's positions equal a full build's once the layout behind the last edit settles
    code = ("import sys; from site_plugins.config import build_site; "
            "build_site(sys.argv[1], sys.argv[2], store_url=sys.argv[3], sync=False)")
    subprocess.run([sys.executable, "-c", code, str(content), str(full), store_url], check=True, capture_output=True)
    a, b = _pages(site), _pages(full)
    stale = sorted(set(a) ^ set(b)) + [p for p in a if p in b and a[p] != b[p]]
    print(f"parity with a fresh full build: {len(a)} files, {len(stale)} differ{': ' + ', '.join(stale[:5]) if stale else ''}"
          f"   {'OK' if not stale else 'MISS'}")
    return not stale
