"""The global graph's layout computed in a forked process beside the page rendering of a big site."""
from __future__ import annotations

from typing import Any

from . import forking, parallel
from .forking import can_fork


def graph_later(index: Any, option: int) -> Any:
    """graph.json's text, computed beside the page rendering on a big site: returns a function giving it, or None
    where no process can be forked (the caller lays the graph out itself)."""
    from . import graph, graph_layout

    if len(index.public) < parallel.MIN_PAGES or not can_fork(option):
        return None

    def compute() -> tuple[str, list[Any]]:
        return graph.graph_json(index), list(graph_layout._last)

    job = forking.beside(compute, compute)  # (the fallback: the same, here)

    def result() -> str:
        text, last = job()
        graph_layout._last[:] = last  # a rebuild whose edit changed no link reuses the layout (graph_layout.py)
        return text

    result.cancel = job.cancel  # type: ignore[attr-defined]
    return result
