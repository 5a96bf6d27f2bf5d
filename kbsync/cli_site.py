"""`kb build` and `kb serve`: the site and the server, with their start-up checks."""
from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import logs
from .cli_base import ContentOpt, StoreOpt, _fail, _need_content, _settings, _store, app, run_sync

if TYPE_CHECKING:
    from .settings import Settings


@app.command()
def build(content: ContentOpt = None, store: StoreOpt = None,
          out: Annotated[Path | None, typer.Option("--out", help="Site output folder (default ./site).")] = None) -> None:
    """Sync, then build the static site with MkDocs (works without an mkdocs.yml)."""
    from site_plugins.config import build_site

    s = _settings(content, store)
    _need_content(s)
    default_out, yml = _site_config(s)  # before the sync: a broken mkdocs.yml fails at once
    st = _store(s)
    run_sync(s, st)
    target = out or default_out
    secs = build_site(s.content_dir, target, store_url=s.resolved_store_url(), mkdocs_yml=yml, sync=False)
    typer.echo(f"site built in {target} ({secs:.1f}s)")


@app.command()
def serve(content: ContentOpt = None, store: StoreOpt = None,
          host: Annotated[str | None, typer.Option("--host", help="Bind address (env KB_HOST).")] = None,
          port: Annotated[int | None, typer.Option("--port", help="Port (env KB_PORT).")] = None) -> None:
    """Serve the API and the built site on one port, and keep the store current (env KB_ROLE: all|writer|reader)."""
    from .roles import resolve_role
    from .serving import run_serve

    s = _settings(content, store)
    role = resolve_role(s)
    if role != "reader":  # a reader reads the store only: no content folder needed
        _need_content(s)
    logs.exit_cleanly_on_sigterm()  # uvicorn re-raises SIGTERM after its graceful shutdown: make that exit 0
    if host:
        s.host = host
    if port:
        s.port = port
    _port_free(s.host, s.port)
    _site_config(s)
    run_serve(s, _reader_store(s) if role == "reader" else _store(s), role)


def _reader_store(s: Settings):  # type: ignore[no-untyped-def]
    """KB_ROLE=reader: the store opened read-only; one the writer has not created yet is waited for (not ready)."""
    from .roles import check_layout, open_reader_store
    from .store import StoreError

    try:
        st = open_reader_store(s)
        check_layout(st)
        return st
    except (StoreError, OSError) as e:
        raise typer.BadParameter(str(e), param_hint="--store") from e


def _port_free(host: str, port: int) -> None:
    """Fail at once, before any sync or site build, when the port cannot be bound (uvicorn would, minutes later)."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        with socket.create_server((host, port), family=family):  # SO_REUSEADDR, as uvicorn binds
            pass
    except OSError as e:
        what = "is in use" if e.errno == errno.EADDRINUSE else f"cannot be bound ({e.strerror or e})"
        raise _fail(f"port {port} on {host} {what}: stop the other server or pick another with --port") from None


def _site_config(s: Settings) -> tuple[Path, Path | None]:
    """(site folder, mkdocs.yml or None); a mkdocs.yml that does not parse is a one-line `path:line: message`."""
    from site_plugins.mkdocs_yml import ConfigFileError

    from .serving import site_paths

    try:
        return site_paths(s)
    except ConfigFileError as e:
        raise _fail(str(e)) from None
