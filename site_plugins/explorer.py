"""Explorer: the public folder tree as one compact JSON file (drawn by kb-chrome.js), and breadcrumbs."""
from __future__ import annotations

import json
import posixpath
from typing import Any

from .escaping import esc
from .index import SiteIndex, relative

EXPLORER_JSON = "explorer.json"


def _chapters(index: SiteIndex, doc: str) -> list[str]:
    return [c for c in index.records[doc].get("chapters") or [] if index.is_public(c)]


def explorer_tree(index: SiteIndex) -> dict[str, Any]:
    """Folder tree of public entries: {"n": name, "c": count, "d": [sub-folders], "e": [[title, url, [chapters]]]}.

    A document lists its chapters (in the document's order) under its own row, not in the folder listing.
    """
    in_doc = {c for s in index.public for c in _chapters(index, s)}
    root: dict[str, Any] = {"n": "", "c": 0, "d": {}, "e": []}
    for s in sorted(index.public, key=lambda x: (index.records[x]["path"].lower(), x)):
        if s in in_doc:
            continue
        path = index.records[s]["path"]
        node = root
        for part in posixpath.dirname(path).split("/") if "/" in path else []:
            node = node["d"].setdefault(part, {"n": part, "c": 0, "d": {}, "e": []})
        row: list[Any] = [index.title(s), index.page_url(s)]
        chs = _chapters(index, s)
        if chs:
            row.append([[index.title(c), index.page_url(c)] for c in chs])
        node["e"].append(row)

    def finish(node: dict[str, Any]) -> dict[str, Any]:
        subs = [finish(d) for _, d in sorted(node["d"].items(), key=lambda kv: (kv[0].lower(), kv[0]))]
        # a folder holding one document and nothing else is that document: one row, its chapters under it
        node["d"] = [d for d in subs if d["d"] or len(d["e"]) != 1 or len(d["e"][0]) < 3]
        node["e"] = sorted(node["e"] + [d["e"][0] for d in subs if d not in node["d"]],
                           key=lambda e: (e[0].lower(), e[1]))
        node["c"] = sum(d["c"] for d in node["d"]) + sum(1 + len(e[2]) if len(e) > 2 else 1 for e in node["e"])
        return node

    return finish(root)


def explorer_json(index: SiteIndex) -> str:
    """The tree as compact JSON (titles and URLs are data: the script inserts them as text)."""
    return tree_json(explorer_tree(index))


def retitle(tree: dict[str, Any], path: str, url: str, title: str) -> bool:
    """Give the row of the plain entry at `path` its new title, in place (explorer_tree's order kept); False when
    no such row is where explorer_tree puts one (then the tree is made again)."""
    node: dict[str, Any] | None = tree
    for part in posixpath.dirname(path).split("/") if "/" in path else []:
        node = next((d for d in node["d"] if d["n"] == part), None) if node is not None else None
    for row in node["e"] if node is not None else []:
        if row[1] == url and len(row) == 2:
            row[0] = title
            node["e"].sort(key=lambda e: (e[0].lower(), e[1]))  # type: ignore[index]
            return True
    return False


def tree_json(tree: dict[str, Any]) -> str:
    return json.dumps(tree, ensure_ascii=False, separators=(",", ":"))


def folder_counts(index: SiteIndex) -> dict[str, int]:
    """Top-level folder -> public entries under it (root-level entries are not a folder)."""
    tree = explorer_tree(index)
    return {d["n"]: d["c"] for d in tree["d"]}


def breadcrumbs_html(index: SiteIndex, slug: str, page_url: str, document: str | None) -> str:
    """Home › folder › … › (document ›) title; folders open the explorer at that folder."""
    path = index.records[slug]["path"]
    parts = posixpath.dirname(path).split("/") if "/" in path else []
    root = relative("", page_url)
    doc_dir = posixpath.dirname(index.records[document]["path"]) if document and document != slug else None
    crumbs = [f'<a href="{esc(root)}">Home</a>']
    for i, part in enumerate(parts):
        folder = "/".join(parts[:i + 1])
        if folder != doc_dir:  # a document's own folder is the document
            crumbs.append(f'<span class="kb-crumb-folder" data-folder="{esc(folder)}">{esc(part)}</span>')
    if document and document != slug:
        crumbs.append(f'<a href="{esc(relative(index.page_url(document), page_url))}">{esc(index.title(document))}</a>')
    crumbs.append(f'<span aria-current="page">{esc(index.title(slug))}</span>')
    return ('<nav class="kb-crumbs" aria-label="Breadcrumbs"><ol>' + "".join(f"<li>{c}</li>" for c in crumbs)
            + "</ol></nav>")
