"""`kb search`, `kb suggest` and `kb query`: reads over the store, printed or as JSON."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .cli_base import ContentOpt, JsonOpt, StoreOpt, ViewerOpt, _kb, _settings, _store, app
from .visibility import PUBLIC


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
