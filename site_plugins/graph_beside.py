"""The global graph's layout, and every entry's local graph file, computed in a forked process beside the page
rendering of a big site (they read the index only): the end of the build keeps their state as the bytes this
process sent (graph_kept.py) and writes nothing."""
from __future__ import annotations

from typing import Any

from . import forking, parallel
from .forking import can_fork


def graph_later(index: Any, option: int, site_dir: str | None = None) -> Any:
    """graph.json's text, computed beside the page rendering on a big site: returns a function giving it, or None
    where no process can be forked (the caller lays the graph out itself). With `site_dir`, the forked process
    writes graph.json and the local graph files there instead, and the function gives None (`result.local`: what
    the caller keeps of them, None until the result is in or when the process failed: the text is then given, and
    the caller writes the files)."""
    from . import graph, graph_layout

    if len(index.public) < parallel.MIN_PAGES or not can_fork(option):
        return None

    def compute() -> tuple[str | None, list[Any], bytes | None]:
        if site_dir is None:
            return graph.graph_json(index), list(graph_layout._last), None
        # graph.json written there: its text is not sent back (at 100,000 entries that, with the layout's input
        # once held beside its result, was ~170 MB landing in the build process as its memory peaked)
        return None, list(graph_layout._last), _write_local(site_dir, index)

    def fallback() -> tuple[str, list[Any], None]:  # the process failed: the caller writes the files itself
        return graph.graph_json(index), list(graph_layout._last), None

    job = forking.beside(compute, fallback, "graph layout")

    def result() -> str | None:
        text, last, local = job()
        graph_layout._last[:] = last  # a rebuild whose edit changed no link reuses the layout (graph_layout.py)
        result.local = local  # type: ignore[attr-defined]
        return text

    result.local = None  # type: ignore[attr-defined]
    result.cancel = job.cancel  # type: ignore[attr-defined]
    return result


def _write_local(site_dir: str, index: Any) -> bytes:
    """In the forked process: write graph.json and every local graph file as a full build does; the site's graph
    state as bytes (the build process keeps them so until an edit needs them: graph_kept.py)."""
    from .graph_kept import dump
    from .graph_site import SITES, publish_graph, site_key

    publish_graph(site_dir, index, incremental=False)
    return dump(SITES[site_key(site_dir)])
