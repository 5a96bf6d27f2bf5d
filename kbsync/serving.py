"""`kb serve`: sync, build the site, then serve API + site on one port while a watcher keeps both current.

The CLI's thin adapter over three libraries: kbsync (sync, watch), site_plugins (build) and api (serve).
Site builds run in a separate, long-lived process: a MkDocs build of a large site is seconds of pure-Python
CPU, and in the server's process it would hold the GIL away from requests and the read-model refresh.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import signal
from pathlib import Path
from typing import Any

from .derive import Options
from .settings import Settings

log = logging.getLogger("kbsync.serve")


def site_paths(s: Settings) -> tuple[Path, Path | None]:
    """(site output folder, mkdocs.yml or None): both beside the content folder unless configured."""
    from site_plugins.mkdocs_yml import mkdocs_yml_for

    base = s.content_dir.resolve().parent
    yml = base / "mkdocs.yml"
    return (s.site_dir or base / "site"), (mkdocs_yml_for(yml, s.content_dir) if yml.is_file() else None)


def _site_worker(requests: Any, first_done: Any, content: Path, site_dir: Path, url: str, yml: Path | None) -> None:
    """Build on request; keeps the plugin's state between builds so each rebuild renders only what changed."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler came along with fork()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops us
    from site_plugins.config import build_site

    while True:
        msg = requests.get()
        while msg is not None and not requests.empty():  # coalesce: one build covers every sync before it
            msg = requests.get()
        if msg is None:
            return
        try:
            secs = build_site(content, site_dir, store_url=url, mkdocs_yml=yml, incremental=True, sync=False)
            log.info("site built in %.2fs: %s", secs, site_dir)
        except Exception:  # a broken page must not take the site down
            log.exception("site build failed; serving the previous build")
        first_done.set()


def run_serve(s: Settings, store: Any) -> None:
    from api.server import serve

    from .sync import Syncer
    from .watch import Watcher

    options = Options(keywords=s.keywords)
    report = Syncer(s.content_dir, store, options=options, max_bytes=s.max_file_bytes).sync()
    log.info("synced %s entries (revision %s)", report.added + report.updated + report.unchanged, report.revision)
    site_dir, yml = site_paths(s)
    ctx = mp.get_context("fork")  # forked before any thread starts
    requests, first_done = ctx.Queue(), ctx.Event()
    builder = ctx.Process(target=_site_worker, name="kb-site", daemon=True,
                          args=(requests, first_done, s.content_dir, site_dir, s.resolved_store_url(), yml))
    builder.start()
    requests.put("build")
    first_done.wait()  # serve a complete site from the first request on
    s.site_dir = site_dir
    built_rev = [report.revision]
    holders: list[Any] = []  # the API's read-model holder, told at once when a sync commits

    def synced(rep: Any) -> None:
        for holder in holders:
            holder.poke()
        log.info("synced: %s added, %s updated, %s deleted (revision %s)", rep.added, rep.updated, rep.deleted,
                 rep.revision)
        if rep.revision != built_rev[0] or rep.changed:  # a no-op re-check changes nothing on the site
            built_rev[0] = rep.revision
            requests.put("build")

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
        if watcher is not None:
            watcher.stop()  # the batch in flight commits (or rolls back) before we exit 0
        requests.put(None)
        builder.join(timeout=2)
        if builder.is_alive():  # a build in flight is abandoned; the next start rebuilds the site
            builder.terminate()
            builder.join()
