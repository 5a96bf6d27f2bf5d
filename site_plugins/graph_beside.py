"""The global graph's layout, and every entry's local graph file, computed in a forked process beside the page
rendering of a big site (they read the index only): the end of the build then writes graph.json alone."""
from __future__ import annotations

import pickle
from typing import Any

from . import forking, parallel
from .forking import can_fork

# what publish_graph keeps of the files, and the graph they were made from (laid out: not made again)
Local = tuple[dict[str, Any], dict[str, bytes], dict[str, str], bytes, Any]


def graph_later(index: Any, option: int, site_dir: str | None = None) -> Any:
    """graph.json's text, computed beside the page rendering on a big site: returns a function giving it, or None
    where no process can be forked (the caller lays the graph out itself). With `site_dir`, the forked process
    also writes the local graph files there (`result.local`: what the caller keeps of them, None until the
    result is in or when the process failed)."""
    from . import graph, graph_layout

    if len(index.public) < parallel.MIN_PAGES or not can_fork(option):
        return None

    def compute() -> tuple[str, list[Any], bytes | None]:
        if site_dir is None:
            return graph.graph_json(index), list(graph_layout._last), None
        text, local = _write_local(site_dir, index)  # the graph read and laid out once, for both
        return text, list(graph_layout._last), local

    def fallback() -> tuple[str, list[Any], None]:  # the process failed: the caller writes the files itself
        return graph.graph_json(index), list(graph_layout._last), None

    job = forking.beside(compute, fallback)

    def result() -> str:
        text, last, local = job()
        graph_layout._last[:] = last  # a rebuild whose edit changed no link reuses the layout (graph_layout.py)
        result.local = local  # type: ignore[attr-defined]
        return text

    result.local = None  # type: ignore[attr-defined]
    result.cancel = job.cancel  # type: ignore[attr-defined]
    return result


def _write_local(site_dir: str, index: Any) -> tuple[str, bytes]:
    """In the forked process: write every local graph file as a full build does; graph.json's text and what the
    parent keeps of the files, slugs as numbers (their place in sorted order: the parent's own strings stand in,
    not copies of them)."""
    from .graph_site import SITES, publish_graph, site_key

    publish_graph(site_dir, index, incremental=False)
    site = SITES[site_key(site_dir)]
    at = {s: i for i, s in enumerate(sorted(site.live.rows))}
    kept = {at[c]: (tuple(at[x] for x in ids), a, b, full, cut and (cut[0], cut[1], at[cut[2]]))
            for c, (ids, a, b, full, cut) in site.local.kept.items()}
    digest = {at[c]: d for c, d in site.local.digest.items()}
    urls = {at[c]: u for c, u in site.urls.items()}
    return site.live.json().decode(), pickle.dumps((kept, digest, urls, site.types, site.live),
                                                   protocol=pickle.HIGHEST_PROTOCOL)


def kept_local(data: bytes) -> Local:
    """`_write_local`'s bytes with the numbers back as slugs (the graph's, sorted), and the graph."""
    kept, digest, urls, types, live = pickle.loads(data)  # noqa: S301 - written by this build's own process
    slugs = sorted(live.rows)
    kept = {slugs[c]: (tuple(slugs[x] for x in ids), a, b, full, cut and (cut[0], cut[1], slugs[cut[2]]))
            for c, (ids, a, b, full, cut) in kept.items()}
    return kept, {slugs[c]: d for c, d in digest.items()}, {slugs[c]: u for c, u in urls.items()}, types, live
