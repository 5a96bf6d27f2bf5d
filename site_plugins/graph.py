"""Graph manager: graph.json (public nodes and edges only, laid out at build time) drawn by assets/kb-graph.js."""
from __future__ import annotations

import html

from mkdocs.structure.files import File

from .graph_live import LiveGraph
from .graph_local import local_path
from .index import SiteIndex, relative
from .vendor import PREFIX, VENDOR

GRAPH_LIBS = ("sigma", "graphology")  # loaded by kb-graph.js from assets/kb/vendor/ on the /graph/ page only


def graph_data(index: SiteIndex) -> dict:
    """Column arrays, one item per public entry (sorted by slug); see the format in kb-graph.js's header.

    types (by count, then name), tags, folders: lookup tables; ids, t (titles), y (type index), f (folder index),
    g (tag indexes), xy (x0, y0, x1, y1, ... ints in [0, 10000]), e (edges as flat index pairs a0, b0, a1, b1, ...),
    u (only the URLs that are not `<id>/`, by node index). Built by graph_live.LiveGraph, which a site also
    updates in place after an edit (graph_site.publish_graph).
    """
    return LiveGraph.full(index).data()


def graph_json(index: SiteIndex) -> str:
    return LiveGraph.full(index).json().decode()


def local_graph_html(slug: str, root: str, depth: int, page_url: str = "") -> str:
    """Placeholder the script fills: a canvas centred on `slug` (`root`: relative URL of the site root), drawn
    from the page's own kb-local.json (graph_local.py), never the whole graph.json."""
    depth = 2 if depth >= 2 else 1
    src = relative(local_path(page_url), page_url)  # beside the page
    buttons = "".join(f'<button type="button" data-depth="{d}" aria-pressed="{str(d == depth).lower()}">'
                      f'{d}</button>' for d in (1, 2))
    return (f'<div class="kb-graph kb-graph-local" data-kb-graph="local" data-center="{_attr(slug)}" '
            f'data-depth="{depth}" data-root="{_attr(root)}" data-src="{_attr(src)}"><div class="kb-panel-title">Graph '
            f'<span class="kb-graph-depth" role="group" aria-label="Depth">depth {buttons}</span> '
            f'<a href="{_attr(root)}graph/">all</a></div><canvas></canvas>'
            f'<div class="kb-graph-legend"></div></div>')


def graph_vendor_files(config) -> list[File]:  # noqa: ANN001
    """sigma and graphology with their licenses (when `vendor_assets` is off; otherwise VendorAssets copies them)."""
    return [File.generated(config, PREFIX + p.relative_to(VENDOR.parent).as_posix(), abs_src_path=str(p))
            for lib in GRAPH_LIBS for p in sorted((VENDOR / lib).iterdir()) if p.is_file()]


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
