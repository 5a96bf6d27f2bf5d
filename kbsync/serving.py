"""`kb serve`: sync, then serve API + site on one port at once while the site builds behind it and a watcher
keeps both current.

`KB_ROLE` splits that in two (see `kbsync/roles.py`): a `writer` syncs, builds and watches without HTTP, and a
`reader` only serves the store and the site folder, read-only.

The CLI's thin adapter over three libraries: kbsync (sync, watch), site_plugins (build) and api (serve).
Site builds run in a separate, long-lived process: a MkDocs build of a large site is seconds of pure-Python
CPU, and in the server's process it would hold the GIL away from requests and the read-model refresh.
"""
from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from .settings import Settings
from .visibility import can_see

log = logging.getLogger("kbsync.serve")


def site_paths(s: Settings) -> tuple[Path, Path | None]:
    """(site output folder, mkdocs.yml or None): both beside the content folder unless configured."""
    from site_plugins.mkdocs_yml import mkdocs_yml_for

    base = s.content_dir.resolve().parent
    yml = base / "mkdocs.yml"
    return (s.site_dir or base / "site"), (mkdocs_yml_for(yml, s.content_dir) if yml.is_file() else None)


def unpublish_hidden(site_dir: Path, url: str, shown: set[str]) -> set[str]:
    """Remove the pages of entries that are not public now (hidden, or gone since `shown` was published) from
    the built site, and their search-index records; returns the public slugs. Runs before each build, so a page
    that must disappear disappears even when the build then fails."""
    from .store import open_store

    store = open_store(url)
    try:
        names = store.names()
    finally:
        store.close()
    public = {r["slug"] for r in names if can_see(r)}
    gone = ({r["slug"] for r in names} | shown) - public
    removed = set()
    for slug in gone:
        page = site_dir / slug / "index.html"
        if page.is_file():
            page.unlink()
            removed.add(f"{slug}/")
            with contextlib.suppress(OSError):
                page.parent.rmdir()  # only when empty: a public `slug/child/` page may live below
    index = site_dir / "search" / "search_index.json"
    if removed and index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("docs"), list):
            data["docs"] = [d for d in data["docs"] if str(d.get("location", "")).split("#")[0] not in removed]
            index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    if removed:
        log.info("unpublished %d pages no longer public", len(removed))
    return public


def _site_worker(requests: Any, first_done: Any, content: Path, site_dir: Path, url: str, yml: Path | None,
                 failed: Any = None) -> None:
    """Build on request; keeps the plugin's state between builds so each rebuild renders only what changed."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler came along with fork()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops us
    with contextlib.suppress(OSError):  # a group of our own: stopped with the page workers a build forks
        os.setpgid(0, 0)
    shown: set[str] = set()
    discovery = False  # an edit was followed up: discovery panels to settle once no edit waits
    while True:
        if discovery and requests.empty():
            discovery = False
            _settle_discovery(site_dir, requests)
            continue
        msg = requests.get()
        changed, full = _changed(msg), not isinstance(msg, list)
        while msg is not None and not requests.empty():  # coalesce: one build covers every sync before it
            msg = requests.get()
            changed += _changed(msg)
            full = full or not isinstance(msg, list)
        if msg is None:
            return
        _publish_first(site_dir, url, changed)
        if not full and not (failed is not None and failed.is_set()) and _follow_up(site_dir, url, changed):
            discovery = True
            continue  # every affected page is written (discovery panels next, when idle): no build
        discovery = False  # the build recomputes discovery
        try:
            shown = unpublish_hidden(site_dir, url, shown)  # first: the build below may fail
        except Exception:
            log.exception("could not remove pages no longer public before the build")
        # imported at the first build, not at fork: MkDocs and the plugin's imports (CPU seconds) would compete
        # with the server's start-up, and the first request comes once the server listens
        from site_plugins.config import build_site

        try:
            secs = build_site(content, site_dir, store_url=url, mkdocs_yml=yml, incremental=True, sync=False)
            log.info("site built in %.2fs: %s", secs, site_dir)
            if failed is not None:
                failed.clear()
        except Exception:  # a broken page must not take the site down
            log.exception("site build failed; serving the previous build without pages no longer public")
            if failed is not None:
                failed.set()  # the next sync, whatever it changed, retries the build
        first_done.set()
        if requests.empty() and not (failed is not None and failed.is_set()):
            _prepare(site_dir)  # what the first edit's follow-up would make, made while none waits


def _changed(msg: Any) -> list[str]:
    """The slugs a build request names (a sync's changed slugs), or none (`"build"`: rebuild what changed)."""
    return [str(s) for s in msg] if isinstance(msg, list) else []


def _publish_first(site_dir: Path, url: str, changed: list[str]) -> None:
    """Edit -> page: the edited pages are written before the build that updates every page they affect."""
    if not changed:
        return
    from site_plugins.fastpage import publish_first

    try:
        publish_first(str(site_dir), url, list(dict.fromkeys(changed)))
    except Exception:  # the build below renders them anyway
        log.exception("could not publish the edited pages ahead of the site build")


def _follow_up(site_dir: Path, url: str, changed: list[str]) -> bool:
    """The pages the edit affects, re-rendered without a build; False when the edit needs the dirty build."""
    from site_plugins.followup import follow_up

    try:
        return follow_up(str(site_dir), url, list(dict.fromkeys(changed))) is not None
    except Exception:  # the build renders them
        log.exception("could not update the pages the edit affects without a build")
        return False


def _prepare(site_dir: Path) -> None:
    from site_plugins.followup_warm import prepare

    try:
        prepare(str(site_dir))
    except Exception:  # the first edit's follow-up makes it
        log.exception("could not prepare the follow-ups' state after the build")


def _settle_discovery(site_dir: Path, requests: Any) -> None:
    """Discovery panels after edits were followed up; stops between pages when a new edit comes in."""
    from site_plugins.followup_discovery import settle_discovery

    try:
        settle_discovery(str(site_dir), stop=lambda: not requests.empty())
    except Exception:  # the next build recomputes them
        log.exception("could not update the discovery panels after an edit")


def _serve_reader(s: Settings, store: Any) -> None:
    """KB_ROLE=reader: API + the site folder as it is (the writer or `kb build` fills it); no sync, watch or build."""
    from api.server import serve

    site_dir = site_paths(s)[0]
    s.site_dir = site_dir
    if site_dir.is_dir():
        log.info("reader: serving the site in %s as the writer leaves it", site_dir)
    else:
        log.info("reader: no site folder %s, serving the API only", site_dir)
    log.info("serving http://%s:%s/ (site) and /api/ (search), read-only", s.host, s.port)
    serve(s, store)


def site_status(first_done: Any, failed: Any) -> Any:
    """`/api/ready`'s `site` field: `building` until the first site build ends, then `complete` or `failed`."""
    return lambda: "building" if not first_done.is_set() else "failed" if failed.is_set() else "complete"


def _attach(app: Any, holders: list[Any], first_done: Any, failed: Any, startup: Any, ondemand: Any = None) -> None:
    """Keep the API's read-model holder (poked after each sync), let `/api/ready` report the site build, and keep it
    503 until the start-up sync has committed (a fresh store would otherwise look ready, and empty); a fresh site's
    missing pages rendered on demand (kbsync/ondemand.py)."""
    holders.append(app.state.holder)
    app.state.site_status = site_status(first_done, failed)
    app.state.store_synced = lambda: startup.current(app.state.holder.model)
    if ondemand is not None:
        from api.sitefiles import SiteFiles

        from .ondemand_files import OnDemandFiles

        for route in app.routes:
            if getattr(route, "name", None) == "site" and isinstance(route.app, SiteFiles):
                route.app = OnDemandFiles(route.app, ondemand)


def _stop_group(builder: Any) -> None:
    """Stop the site worker and every process its build forked (page workers, discovery, layout): a build in
    flight is abandoned, the next start rebuilds the site. Left alone, the forked ones went on writing pages."""
    try:
        os.killpg(builder.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):  # no group of its own (yet), or nothing left in it
        if builder.is_alive():
            builder.terminate()
    builder.join()


def _stop_when(done: Any, ondemand: Any) -> None:
    """Pages on demand end once the first build is complete: the site folder has every page."""
    done.wait()
    ondemand.stop()


def _started(startup: Any, ondemand: Any) -> None:
    """The port listens: the start-up work, and a fresh site's renderer sets up beside it."""
    if ondemand is not None:
        ondemand.begin()
    startup.start()


def run_serve(s: Settings, store: Any, role: str = "all") -> None:
    """Run `kb serve` as `role`: all (sync, build, watch, serve), writer (no HTTP) or reader (serve only)."""
    if role == "reader":
        _serve_reader(s, store)
        return
    from .startup import StartUp

    watching = s.serve_watch or role == "writer"
    site_dir, yml = site_paths(s)
    ctx = mp.get_context("fork")  # forked before any thread starts
    requests, first_done, failed = ctx.Queue(), ctx.Event(), ctx.Event()
    builder = ctx.Process(target=_site_worker, name="kb-site", daemon=True,
                          args=(requests, first_done, s.content_dir, site_dir, s.resolved_store_url(), yml, failed))
    builder.start()
    ondemand = None
    if role != "writer" and not (site_dir / "index.html").exists():  # a fresh site: pages on demand meanwhile
        from .ondemand import OnDemand

        ondemand = OnDemand(s.content_dir, s.resolved_store_url(), yml)
    site_dir.mkdir(parents=True, exist_ok=True)  # mounted now, filled as the build writes pages
    s.site_dir = site_dir
    built_rev = [store.revision()]
    holders: list[Any] = []  # the API's read-model holder, told at once when a sync commits

    def synced(rep: Any) -> None:
        for holder in holders:
            holder.poke()
        log.info("synced: %s added, %s updated, %s deleted (revision %s)", rep.added, rep.updated, rep.deleted,
                 rep.revision)
        # a no-op re-check changes nothing on the site, unless the last build failed (a bad file was removed)
        if rep.revision != built_rev[0] or rep.changed or failed.is_set():
            if ondemand is not None and rep.revision != built_rev[0]:
                threading.Thread(target=ondemand.stop, daemon=True).start()  # loaded before this sync: over
            built_rev[0] = rep.revision
            requests.put(list(rep.changed) or "build")  # the changed slugs: their pages are published first

    def filled(rev: int) -> None:  # keywords came in behind the sync: a new revision to serve and build
        for holder in holders:
            holder.poke()
        if ondemand is not None:
            ondemand.allow(rev)  # keywords only (their panels wait for the build): the pages stay current
        built_rev[0] = rev
        requests.put("build")

    def first_sync(rev: int) -> None:  # the store is current: the first build runs behind the server
        for holder in holders:
            holder.poke()
        built_rev[0] = rev
        if ondemand is not None:  # pages on demand first: the build (and the filler, the watcher) once they answer
            threading.Thread(target=_stop_when, args=(first_done, ondemand), daemon=True).start()
            ondemand.prepare()
            ondemand.first_page()
        requests.put("build")

    startup = StartUp(s, store, watching=watching, on_synced=synced, on_filled=filled,
                      on_first_sync=first_sync)
    try:
        if role == "writer":
            startup.run_here()
            log.info("writer: watching %s, site in %s; no HTTP (KB_ROLE=writer)", s.content_dir, site_dir)
            while True:  # until SIGTERM (the CLI's handler raises Terminated) or Ctrl-C
                time.sleep(3600)
        from api.server import serve

        log.info("serving http://%s:%s/ (site) and /api/ (search)", s.host, s.port)
        # uvicorn handles SIGTERM/SIGINT: it returns after a graceful shutdown. The start-up sync, the watcher
        # and the first build start once it listens: health and the pages on disk answer meanwhile.
        serve(s, store, on_app=lambda app: _attach(app, holders, first_done, failed, startup, ondemand),
              on_started=lambda: _started(startup, ondemand))
    finally:
        startup.stop()  # the start-up sync rolls back; the watcher's batch in flight commits (or rolls back)
        requests.put(None)
        if ondemand is not None:
            ondemand.stop()
        builder.join(timeout=2)
        _stop_group(builder)
