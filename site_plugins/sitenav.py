"""The site's nav when MkDocs' own is not kept: home, folders or nothing, documents, types, tags, graph, topics."""
from __future__ import annotations

import posixpath
from typing import Any

from .escaping import esc


def site_nav(plugin: Any) -> list[Any]:
    """The nav of `plugin`'s build (its index, generated pages and options)."""
    index = plugin.index
    assert index is not None
    gen = {p.url: p.src_uri for p in plugin.generated.values()}
    nav: list[Any] = []
    if "" in gen:
        nav.append({"Home": gen[""]})
    if plugin.config.nav == "folders":
        nav += _folder_nav({r["path"]: index.title(s) for s, r in ((s, index.records[s]) for s in index.public)})
    if plugin.config.documents and plugin.docs:
        docs = [s for s in sorted(index.public) if index.records[s].get("chapters")]
        if docs:  # nav titles are printed as HTML by the theme: titles are text, so escaped
            nav.append({"Documents": [{esc(index.title(d)): [index.records[d]["path"], *(
                index.records[c]["path"] for c in plugin.docs.chapters(d))]} for d in docs]})
    if "types/" in gen:
        nav.append({"Types": [gen["types/"], *(
            {esc(p.title): p.src_uri} for p in plugin.generated.values()
            if p.url.startswith("types/") and p.url != "types/")]})
    if "tags/" in gen:
        nav.append({"Tags": gen["tags/"]})
    if "graph/" in gen:
        nav.append({"Graph": gen["graph/"]})
    if "topics/" in gen:
        nav.append({"Topics": gen["topics/"]})
    return nav


def _folder_nav(titles: dict[str, str]) -> list[Any]:
    """Nested nav from content paths: folders become sections, entries sorted by path."""
    tree: dict[str, Any] = {}
    for path in sorted(titles, key=lambda p: (p.lower(), p)):
        node = tree
        for part in posixpath.dirname(path).split("/") if "/" in path else []:
            node = node.setdefault(part + "/", {})
        node[path] = titles[path]

    def walk(node: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        for key, val in node.items():
            out.append({esc(key[:-1]): walk(val)} if isinstance(val, dict) else {esc(val): key})  # names are text
        return out

    return walk(tree)
