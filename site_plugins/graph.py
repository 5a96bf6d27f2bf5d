"""Graph manager: graph.json (public nodes and edges only, laid out at build time) drawn by assets/kb-graph.js."""
from __future__ import annotations

import html
import json
import posixpath

from mkdocs.structure.files import File

from .graph_layout import layout
from .index import SiteIndex
from .vendor import PREFIX, VENDOR

FORMAT = 2
GRAPH_LIBS = ("sigma", "graphology")  # loaded by kb-graph.js from assets/kb/vendor/ on the /graph/ page only


def graph_data(index: SiteIndex) -> dict:
    """Column arrays, one item per public entry (sorted by slug); see the format in kb-graph.js's header.

    types (by count, then name), tags, folders: lookup tables; ids, t (titles), y (type index), f (folder index),
    g (tag indexes), xy (x0, y0, x1, y1, ... ints in [0, 10000]), e (edges as flat index pairs a0, b0, a1, b1, ...),
    u (only the URLs that are not `<id>/`, by node index).
    """
    slugs = sorted(index.public)
    pos = {s: i for i, s in enumerate(slugs)}
    recs = [index.records[s] for s in slugs]
    kinds = [str(r.get("type") or "note") for r in recs]
    counts: dict[str, int] = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    types = sorted(counts, key=lambda k: (-counts[k], k))
    folders = sorted({posixpath.dirname(str(r.get("path") or "")) for r in recs})
    tags = sorted({str(t) for r in recs for t in r.get("tags") or []})
    type_ix, folder_ix, tag_ix = _ix(types), _ix(folders), _ix(tags)
    pairs = sorted({(min(pos[a], pos[b]), max(pos[a], pos[b])) for a, b, _ in index.edges()})
    xy = layout(slugs, pairs)
    urls = {str(i): index.page_url(s) for i, s in enumerate(slugs) if index.page_url(s) != f"{s}/"}
    return {
        "v": FORMAT, "types": types, "tags": tags, "folders": folders,
        "ids": slugs, "t": [index.title(s) for s in slugs], "y": [type_ix[k] for k in kinds],
        "f": [folder_ix[posixpath.dirname(str(r.get("path") or ""))] for r in recs],
        "g": [sorted({tag_ix[str(t)] for t in r.get("tags") or []}) for r in recs],
        "xy": [c for p in xy for c in p], "e": [c for p in pairs for c in p], "u": urls,
    }


def graph_json(index: SiteIndex) -> str:
    return json.dumps(graph_data(index), ensure_ascii=False, separators=(",", ":"))


def local_graph_html(slug: str, root: str, depth: int) -> str:
    """Placeholder the script fills: a canvas centred on `slug` (`root`: relative URL of the site root)."""
    depth = 2 if depth >= 2 else 1
    buttons = "".join(f'<button type="button" data-depth="{d}" aria-pressed="{str(d == depth).lower()}">'
                      f'{d}</button>' for d in (1, 2))
    return (f'<div class="kb-graph kb-graph-local" data-kb-graph="local" data-center="{_attr(slug)}" '
            f'data-depth="{depth}" data-root="{_attr(root)}"><div class="kb-panel-title">Graph '
            f'<span class="kb-graph-depth" role="group" aria-label="Depth">depth {buttons}</span> '
            f'<a href="{_attr(root)}graph/">all</a></div><canvas></canvas>'
            f'<div class="kb-graph-legend"></div></div>')


def graph_vendor_files(config) -> list[File]:  # noqa: ANN001
    """sigma and graphology with their licenses (when `vendor_assets` is off; otherwise VendorAssets copies them)."""
    return [File.generated(config, PREFIX + p.relative_to(VENDOR.parent).as_posix(), abs_src_path=str(p))
            for lib in GRAPH_LIBS for p in sorted((VENDOR / lib).iterdir()) if p.is_file()]


def _ix(values: list[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(values)}


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
