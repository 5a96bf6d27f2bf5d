"""`kb`: the command line. Each command is one library call; library errors become CLI errors here."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from . import logs
from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="kb: a git-backed knowledge base.")

ContentOpt = Annotated[Path | None, typer.Option("--content", help="Content folder (env KB_CONTENT_DIR, default ./content).")]
StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL (env KB_STORE_URL, default sqlite beside the content).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _settings(content: Path | None, store: str | None) -> Settings:
    s = Settings()
    if content is not None:
        s.content_dir = content
    if store is not None:
        s.store_url = store
    logs.setup(s.log_format, s.log_level)
    return s


def _store(s: Settings, *, migrating: bool = False):  # type: ignore[no-untyped-def]
    from .store import StoreError, open_store

    try:
        st = open_store(s.resolved_store_url(), mongodb_db=s.mongodb_db,
                        attachments_root=str(s.content_dir) if s.mongodb_gridfs else None)
        if not migrating and st.schema_version() != st.layout:
            raise StoreError(f"the store has layout {st.schema_version()}, this kb writes layout {st.layout}: "
                             "run `kb migrate` (it rebuilds the index from the files)")
        return st
    except (StoreError, OSError) as e:
        raise typer.BadParameter(str(e), param_hint="--store") from e


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
        from .discovery.enrich import default_cache_path, fill_keywords
        from .discovery.keywords import KeywordCache

        _, report.revision = fill_keywords(store, KeywordCache(default_cache_path(store, s.content_dir)))
    return report


@app.command()
def sync(content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
         full: Annotated[bool, typer.Option("--full", help="Re-read every file and rebuild the index.")] = False,
         watch: Annotated[bool, typer.Option("--watch", help="Keep syncing as files change.")] = False,
         since: Annotated[str | None, typer.Option("--since", help="Only files changed since git revision REV (working tree included).")] = None) -> None:
    """Sync the content folder into the store."""
    s = _settings(content, store)
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
    from .check import collect, format_problem, unlinked_mentions

    s = _settings(content, store)
    _need_content(s)
    st = _store(s)
    run_sync(s, st)
    problems = collect(st, s.content_dir)
    if as_json:
        typer.echo(json.dumps(problems, ensure_ascii=False, indent=1))
    else:
        for p in problems:
            typer.echo(format_problem(p))
        n_err = sum(p["level"] == "error" for p in problems)
        n_warn = len(problems) - n_err
        typer.echo(f"{n_err} error{'s' * (n_err != 1)}, {n_warn} warning{'s' * (n_warn != 1)}", err=True)
        if suggest_links:
            for line in unlinked_mentions(st, s.content_dir):
                typer.echo(line)
    raise typer.Exit(1 if any(p["level"] == "error" for p in problems) else 0)


@app.command()
def show(slug: str, content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Show one entry with its links and backlinks."""
    from .export import entry_json
    from .paths import slugify

    s = _settings(content, store)
    st = _store(s)
    rec = st.get(slug) or st.get(slugify(slug))
    if rec is None:  # accept anything a wikilink would accept: `kb show squat`, `kb show "Back Squat"`
        from .resolve import Resolver

        hit = Resolver(st.names()).resolve(slug, "")
        rec = st.get(hit.slug) if hit and hit.slug else None
    if rec is None:
        typer.echo(f"no entry {slug!r} (run `kb sync` first?)", err=True)
        raise typer.Exit(1)
    rec = entry_json(rec)
    if as_json:
        typer.echo(json.dumps(rec, ensure_ascii=False, indent=1))
        return
    typer.echo(f"{rec['title']}  [{rec['type']}, {rec['visibility']}]  {rec['path']}  {rec['url']}")
    for key in ("tags", "aliases"):
        if rec[key]:
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
def export(content: ContentOpt = None, store: StoreOpt = None) -> None:
    """Every entry (drafts and private ones too) as JSON Lines, one entry a line."""
    from .export import entry_json

    s = _settings(content, store)
    st = _store(s)
    out = sys.stdout
    for rec in st.entries():
        out.write(json.dumps(entry_json(rec), ensure_ascii=False) + "\n")


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
def new(type: str, title: str, content: ContentOpt = None) -> None:
    """Create a new entry of TYPE titled TITLE and print its path."""
    from .scaffold import new_entry

    s = _settings(content, None)
    _need_content(s)
    try:
        path = new_entry(s.content_dir, type, title)
    except FileExistsError as e:
        raise typer.BadParameter(str(e)) from e
    typer.echo(str(path))


@app.command()
def build(content: ContentOpt = None, store: StoreOpt = None,
          out: Annotated[Path | None, typer.Option("--out", help="Site output folder (default ./site).")] = None) -> None:
    """Sync, then build the static site with MkDocs (works without an mkdocs.yml)."""
    from site_plugins.config import build_site

    from .serving import site_paths

    s = _settings(content, store)
    _need_content(s)
    st = _store(s)
    run_sync(s, st)
    default_out, yml = site_paths(s)
    target = out or default_out
    secs = build_site(s.content_dir, target, store_url=s.resolved_store_url(), mkdocs_yml=yml, sync=False)
    typer.echo(f"site built in {target} ({secs:.1f}s)")


@app.command()
def serve(content: ContentOpt = None, store: StoreOpt = None,
          host: Annotated[str | None, typer.Option("--host", help="Bind address (env KB_HOST).")] = None,
          port: Annotated[int | None, typer.Option("--port", help="Port (env KB_PORT).")] = None) -> None:
    """Serve the API and the built site on one port, and keep the store current."""
    from .serving import run_serve

    s = _settings(content, store)
    _need_content(s)
    logs.exit_cleanly_on_sigterm()  # uvicorn re-raises SIGTERM after its graceful shutdown: make that exit 0
    if host:
        s.host = host
    if port:
        s.port = port
    run_serve(s, _store(s))


def _read_model(s: Settings):  # type: ignore[no-untyped-def]
    from api.readmodel import ReadModel

    return ReadModel.from_store(_store(s))


def _lookup(kind: str, q: str, content: Path | None, store: str | None, as_json: bool, limit: int) -> None:
    """`kb search` and `kb suggest`: the API's engine over public entries, printed or as JSON."""
    model = _read_model(_settings(content, store))
    res = model.search(q, limit=limit) if kind == "search" else model.suggest(q, limit=limit)
    if as_json:
        typer.echo(json.dumps(res, ensure_ascii=False, indent=1))
        return
    for h in res["hits"]:
        extra = f"[{h['type']}]" if kind == "search" else f"({h.get('matched', '')})"
        typer.echo(f"{h['title']:<40} {h['url']}  {extra}")


@app.command()
def search(q: str, content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
           limit: Annotated[int, typer.Option(help="Hits to show.")] = 10) -> None:
    """Full-text search (the API's engine, public entries only)."""
    _lookup("search", q, content, store, as_json, limit)


@app.command()
def suggest(q: str, content: ContentOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
            limit: Annotated[int, typer.Option(help="Suggestions to show.")] = 8) -> None:
    """Typeahead suggestions over titles, aliases and tags."""
    _lookup("suggest", q, content, store, as_json, limit)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
