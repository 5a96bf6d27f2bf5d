"""`kb`: the command line. Each command is one library call; library errors become CLI errors here."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import logs
from .cli_base import (
    ContentOpt,
    JsonOpt,
    StoreOpt,
    ViewerOpt,
    _fail,
    _kb,
    _need_content,
    _settings,
    _store,
    app,
    run_sync,
)
from .visibility import OWNER


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


# Registered after the commands above, so `kb --help` lists them in this order.
from . import cli_read, cli_site  # noqa: E402,F401


def main() -> None:
    app()


if __name__ == "__main__":
    main()
