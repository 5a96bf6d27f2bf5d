"""What every `kb` command shares: the Typer app, common options, settings, the store and the sync."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import logs

if TYPE_CHECKING:  # pydantic-settings loads with the first command that runs, not for `kb --help`
    from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="kb: a git-backed knowledge base.")

ContentOpt = Annotated[Path | None, typer.Option("--content", help="Content folder (env KB_CONTENT_DIR, default ./content).")]
StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL (env KB_STORE_URL, default sqlite beside the content).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
ViewerOpt = Annotated[str, typer.Option("--viewer", help="Whose view: owner (drafts too), token (private too) or public.")]


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


def _kb(s: Settings, *, read: bool = False):  # type: ignore[no-untyped-def]
    """The library's front door over the checked store: every read command is one call on it."""
    from .kb import KB

    return KB(s.content_dir, _store(s, read=read), settings=s)
