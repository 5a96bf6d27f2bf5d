"""`kb`: the command line. Each command is one library call; library errors become CLI errors here."""
from __future__ import annotations

import errno
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import logs
from .visibility import OWNER, PUBLIC

if TYPE_CHECKING:  # pydantic-settings loads with the first command that runs, not for `kb --help`
    from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="kb: a git-backed knowledge base.")

ContentOpt = Annotated[Path | None, typer.Option("--content", help="Content folder (env KB_CONTENT_DIR, default ./content).")]
StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL (env KB_STORE_URL, default sqlite beside the content).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _settings(content: Path | None, store: str | None, *, data_out: bool = False) -> Settings:
    """Settings with CLI overrides; `data_out`: stdout carries data (JSON, JSON Lines), so logs go to stderr."""
    from .settings import Settings

    s = Settings()
    if content is not None:
        s.content_dir = content
    if store is not None:
        s.store_url = store
    logs.setup(s.log_format, s.log_level, stream=sys.stderr if data_out else sys.stdout)
    return s


def _fail(message: str, code: int = 2) -> typer.Exit:
    """A one-line error on stderr (no usage box, no traceback) and the exit to raise."""
    typer.echo(f"kb: error: {message}", err=True)
    return typer.Exit(code)


def _store(s: Settings, *, migrating: bool = False, read: bool = False):  # type: ignore[no-untyped-def]
    """The store; `read=True` (commands that only read): a missing store is an error, not a new empty file."""
    from .store import StoreError, open_store

    try:
        st = open_store(s.resolved_store_url(), mongodb_db=s.mongodb_db,
                        attachments_root=str(s.content_dir) if s.mongodb_gridfs else None, create=not read)
        if not migrating and st.schema_version() != st.layout:
            raise StoreError(f"the store has layout {st.schema_version()}, this kb writes layout {st.layout}: "
                             "run `kb migrate` (it rebuilds the index from the files)")
        return st
    except (StoreError, OSError) as e:
        raise _fail(str(e)) from None


def _need_content(s: Settings) -> None:
    if not s.content_dir.is_dir():
        raise typer.BadParameter(f"content folder {s.content_dir} does not exist", param_hint="--content")


def _progress():  # type: ignore[no-untyped-def]
    """A progress bar on a terminal for long runs; nothing when piped."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("sync", total=None)

    def update(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    return bar, update


def run_sync(s: Settings, store: Any, *, full: bool = False, paths: list[str] | None = None):  # type: ignore[no-untyped-def]
    from .derive import Options
    from .sync import sync_content

    bar, update = _progress()
    try:
        # Keywords stay off the critical path: the entries are committed (searchable) first, and their
        # keywords follow in a second small commit, computed over the cores and cached by content hash.
        report = sync_content(s.content_dir, store, full=full, paths=paths, max_bytes=s.max_file_bytes,
                              options=Options(keywords=False), progress=update)
    finally:
        if bar is not None and bar.live.is_started:
            bar.stop()
    if s.keywords:
        from .discovery.fill import default_cache_path, fill_keywords
        from .discovery.keywords import KeywordCache

        _, report.revision = fill_keywords(store, KeywordCache(default_cache_path(store, s.content_dir)))
    return report


@app.command()
def sync(content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
         full: Annotated[bool, typer.Option("--full", help="Re-read every file and rebuild the index.")] = False,
         watch: Annotated[bool, typer.Option("--watch", help="Keep syncing as files change.")] = False,
         since: Annotated[str | None, typer.Option("--since", help="Only files changed since git revision REV (working tree included).")] = None) -> None:
    """Sync the content folder into the store."""
    s = _settings(content, store, data_out=as_json and not watch)
    _need_content(s)
    logs.exit_cleanly_on_sigterm()
    st = _store(s)
    paths = None
    if since:
        from .gitinfo import GitError, changed_since

        try:
            paths = changed_since(s.content_dir, since).paths()
        except GitError as e:
            raise typer.BadParameter(str(e), param_hint="--since") from e
    report = run_sync(s, st, full=full, paths=paths)
    if as_json:
        typer.echo(json.dumps(report.as_json()))
    else:
        typer.echo(f"synced {s.content_dir}: {report.added} added, {report.updated} updated, {report.deleted} deleted, "
                   f"{report.unchanged} unchanged, {report.errors} with errors, {report.seconds:.2f}s "
                   f"(revision {report.revision})")
    if watch:
        from .watch import run_watch

        run_watch(s, st)


@app.command()
def reindex(content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild the whole index from the files in one atomic batch (same as `kb sync --full`)."""
    sync(content=content, store=store, as_json=as_json, full=True, watch=False, since=None)


@app.command()
def migrate(content: ContentOpt = None, store: StoreOpt = None) -> None:
    """Bring the store's layout up to this version of kb, then resync; safe to run any number of times."""
    s = _settings(content, store)
    _need_content(s)
    st = _store(s, migrating=True)
    before = st.schema_version()
    changed = st.migrate()
    report = run_sync(s, st, full=changed)
    what = f"migrated layout {before} -> {st.layout}" if changed else f"layout {st.layout} is current"
    typer.echo(f"{what}; {report.added} added, {report.updated} updated, revision {report.revision}")


@app.command()
def check(content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
          suggest_links: Annotated[bool, typer.Option("--suggest-links", help="Also list unlinked mentions of "
                                                      "entry titles and aliases as `path:line`.")] = False) -> None:
    """Sync, then list every problem as `path:line: level: message`; exit 1 on errors."""
    from .check import format_problem, unlinked_mentions

    s = _settings(content, store, data_out=as_json)
    _need_content(s)
    kb = _kb(s)
    run_sync(s, kb.store)
    problems = kb.check(viewer=OWNER)
    if as_json:
        typer.echo(json.dumps(problems, ensure_ascii=False, indent=1))
    else:
        for p in problems:
            typer.echo(format_problem(p))  # type: ignore[arg-type]
        n_err = sum(p["level"] == "error" for p in problems)
        n_warn = len(problems) - n_err
        typer.echo(f"{n_err} error{'s' * (n_err != 1)}, {n_warn} warning{'s' * (n_warn != 1)}", err=True)
        if suggest_links:
            for line in unlinked_mentions(kb.store, s.content_dir):
                typer.echo(line)
    raise typer.Exit(1 if any(p["level"] == "error" for p in problems) else 0)


ViewerOpt = Annotated[str, typer.Option("--viewer", help="Whose view: owner (drafts too), token (private too) or public.")]


@app.command()
def show(slug: str, content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
         viewer: ViewerOpt = OWNER) -> None:
    """Show one entry with its links and backlinks (by slug, title, alias or file name)."""
    rec = _kb(_settings(content, store, data_out=as_json), read=True).get(slug, viewer=viewer)
    if rec is None:
        typer.echo(f"no entry {slug!r} (run `kb sync` first?)", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(rec, ensure_ascii=False, indent=1))
        return
    typer.echo(f"{rec['title']}  [{rec['type']}, {rec['visibility']}]  {rec['path']}  {rec['url']}")
    for key in ("tags", "aliases", "authors"):  # authors: from git history
        if rec.get(key):
            typer.echo(f"  {key}: {', '.join(rec[key])}")
    for k, v in rec["fields"].items():
        typer.echo(f"  {k}: {v}")
    typer.echo("links:")
    for link in rec["links"]:
        typer.echo(f"  {link['kind']:>8} {link['raw']} -> {link['target'] or 'BROKEN'}")
    typer.echo("backlinks:")
    for b in rec["backlinks"]:
        typer.echo(f"  {b['kind']:>8} {b['source']}")


@app.command()
def export(content: ContentOpt = None, store: StoreOpt = None, viewer: ViewerOpt = OWNER) -> None:
    """Every entry the viewer sees (the owner: drafts and private ones too) as JSON Lines, one entry a line."""
    out = sys.stdout
    for rec in _kb(_settings(content, store, data_out=True), read=True).entries(viewer=viewer):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")


@app.command()
def init(directory: Path) -> None:
    """Create a new knowledge base: content, mkdocs.yml, README."""
    from .scaffold import init_kb

    try:
        created = init_kb(directory)
    except FileExistsError as e:
        raise typer.BadParameter(str(e), param_hint="DIR") from e
    typer.echo(f"created {len(created)} files in {directory}; next: cd {directory} && kb sync")


@app.command()
def new(type: str, title: str, content: ContentOpt = None,
        field: Annotated[list[str] | None, typer.Option("--field", "-f", help="Set a field: NAME=VALUE (repeatable).")] = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="No questions: create despite a possible duplicate; "
                                          "required fields must come from --field.")] = False) -> None:
    """Create a new entry of TYPE titled TITLE as a form (the type's fields, a duplicate warning); print its path."""
    from .entryform import Declined, FormError, create, default_asker, parse_given

    s = _settings(content, None, data_out=True)
    _need_content(s)
    try:
        path = create(s.content_dir, type, title, parse_given(field or []), asker=None if yes else default_asker(),
                      yes=yes)
    except (FileExistsError, FormError) as e:
        raise _fail(str(e)) from None
    except Declined as e:
        raise _fail(str(e), code=1) from None
    typer.echo(str(path))


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


def _kb(s: Settings, *, read: bool = False):  # type: ignore[no-untyped-def]
    """The library's front door over the checked store: every read command is one call on it."""
    from .kb import KB

    return KB(s.content_dir, _store(s, read=read), settings=s)


def _lookup(kind: str, q: str, content: Path | None, store: str | None, as_json: bool, limit: int,
            viewer: str, type: str | None = None, tag: str | None = None) -> None:
    """`kb search` and `kb suggest`: the API's engine, printed or as JSON."""
    kb = _kb(_settings(content, store, data_out=as_json), read=True)
    res = (kb.search(q, limit=limit, type=type, tag=tag, viewer=viewer) if kind == "search"
           else kb.suggest(q, limit=limit, viewer=viewer))
    if as_json:
        typer.echo(json.dumps(res, ensure_ascii=False, indent=1))
        return
    for h in res["hits"]:
        extra = f"[{h['type']}]" if kind == "search" else f"({h.get('matched', '')})"
        typer.echo(f"{h['title']:<40} {h['url']}  {extra}")


@app.command()
def search(q: str, content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
           limit: Annotated[int, typer.Option(help="Hits to show.")] = 10, viewer: ViewerOpt = PUBLIC,
           type: Annotated[str | None, typer.Option("--type", help="Only entries of this type.")] = None,
           tag: Annotated[str | None, typer.Option("--tag", help="Only entries with this tag (or a child).")] = None,
           ) -> None:
    """Full-text search (the API's engine; public entries unless --viewer says otherwise)."""
    _lookup("search", q, content, store, as_json, limit, viewer, type, tag)


@app.command()
def suggest(q: str, content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
            limit: Annotated[int, typer.Option(help="Suggestions to show.")] = 8, viewer: ViewerOpt = PUBLIC) -> None:
    """Typeahead suggestions over titles, aliases and tags."""
    _lookup("suggest", q, content, store, as_json, limit, viewer)


@app.command()
def query(dql: str, content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
          viewer: Annotated[str, typer.Option(help="Who is asking: public, token (adds private) or owner (adds drafts).")] = "public") -> None:
    """Run a Dataview (DQL) query over the entries the viewer may see; exit 1 if it cannot run."""
    from .query import PageSet, QueryError, run
    from .query.output import result_json, result_rows

    s = _settings(content, store, data_out=as_json)
    st = _store(s)
    try:
        files = {p: (f.mtime_ns, f.size) for p, f in st.file_states().items()}
        res = run(dql, PageSet(st.entries(), viewer, files), viewer=viewer)
    except QueryError as e:
        typer.echo(f"query error: {e}", err=True)
        raise typer.Exit(1) from None
    finally:
        st.close()
    if as_json:
        typer.echo(json.dumps(result_json(res), ensure_ascii=False, indent=1))
        return
    headers, rows = result_rows(res)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    for row in [headers, *rows]:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
    typer.echo(f"{res.count} result{'s' * (res.count != 1)}", err=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
