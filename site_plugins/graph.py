"""Graph manager: graph.json (public nodes and edges only) drawn in the browser by assets/kb-graph.js."""
from __future__ import annotations

import html
import json

from .index import SiteIndex


def graph_json(index: SiteIndex) -> str:
    """Compact JSON: nodes [{id, t: title, u: url, y: type}], links [[source idx, target idx, kind]]."""
    slugs = sorted(index.public)
    pos = {s: i for i, s in enumerate(slugs)}
    nodes = [{"id": s, "t": index.title(s), "u": index.page_url(s),
              "y": str(index.records[s].get("type") or "note")} for s in slugs]
    links = [[pos[a], pos[b], k] for a, b, k in index.edges()]
    return json.dumps({"nodes": nodes, "links": links}, ensure_ascii=False, separators=(",", ":"))


def local_graph_html(slug: str, root: str, depth: int) -> str:
    """Placeholder the script fills: a canvas centred on `slug` (`root`: relative URL of the site root)."""
    return (f'<div class="kb-graph kb-graph-local" data-kb-graph="local" data-center="{_attr(slug)}" '
            f'data-depth="{depth}" data-root="{_attr(root)}"><div class="kb-panel-title">Graph '
            f'<a href="{_attr(root)}graph/">all</a></div><canvas></canvas></div>')


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
