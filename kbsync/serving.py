"""`kb serve`: sync, build the site, then serve API + site on one port while a watcher keeps both current.

The CLI's thin adapter over three libraries: kbsync (sync, watch), site_plugins (build) and api (serve).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from .derive import Options
from .settings import Settings

log = logging.getLogger("kbsync.serve")


def site_paths(s: Settings) -> tuple[Path, Path | None]:
    """(site output folder, mkdocs.yml or None): both beside the content folder unless configured."""
    base = s.content_dir.resolve().parent
    yml = base / "mkdocs.yml"
    return (s.site_dir or base / "site"), (yml if yml.is_file() else None)


def run_serve(s: Settings, store: Any) -> None:
    from api.server import serve
    from site_plugins.config import build_site

    from .sync import Syncer
    from .watch import Watcher

    options = Options(keywords=s.keywords)
    report = Syncer(s.content_dir, store, options=options, max_bytes=s.max_file_bytes).sync()
    log.info("synced %s entries (revision %s)", report.added + report.updated + report.unchanged, report.revision)
    site_dir, yml = site_paths(s)
    url = s.resolved_store_url()
    build_lock = threading.Lock()

    def build() -> None:
        with build_lock:  # one build at a time; MkDocs is not re-entrant
            try:
                secs = build_site(s.content_dir, site_dir, store_url=url, mkdocs_yml=yml, incremental=True, sync=False)
                log.info("site built in %.2fs: %s", secs, site_dir)
            except Exception:  # a broken page must not take the API down
                log.exception("site build failed; serving the previous build")

    build()
    s.site_dir = site_dir
    build_wanted, stopping = threading.Event(), threading.Event()
    built_rev = [report.revision]

    def builder() -> None:  # off the watcher thread: a build never delays the next sync
        while True:
            build_wanted.wait()
            if stopping.is_set():
                return
            build_wanted.clear()
            build()

    holders: list[Any] = []  # the API's read-model holder, told at once when a sync commits

    def synced(rep: Any) -> None:
        for holder in holders:
            holder.poke()
        log.info("synced: %s added, %s updated, %s deleted (revision %s)", rep.added, rep.updated, rep.deleted,
                 rep.revision)
        if rep.revision != built_rev[0] or rep.changed:  # a no-op re-check changes nothing on the site
            built_rev[0] = rep.revision
            build_wanted.set()  # builds coalesce: many syncs during one build cause one more build

    threading.Thread(target=builder, name="kb-site", daemon=True).start()
    watcher = None
    if s.serve_watch:
        watcher = Watcher(s.content_dir, store, on_synced=synced, check_on_start=True,
                          max_bytes=s.max_file_bytes, options=options)
        watcher.start()
    log.info("serving http://%s:%s/ (site) and /api/ (search)", s.host, s.port)
    try:
        # uvicorn handles SIGTERM/SIGINT: it returns after a graceful shutdown
        serve(s, store, on_app=lambda app: holders.append(app.state.holder))
    finally:
        stopping.set()
        build_wanted.set()  # no new build; one in flight is abandoned (the next start rebuilds the site)
        if watcher is not None:
            watcher.stop()  # the batch in flight commits (or rolls back) before we exit 0
