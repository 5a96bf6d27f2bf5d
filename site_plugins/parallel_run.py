"""One parallel build as one of its processes sees it, and what the processes exchange about their pages."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Run:
    """One parallel build, as one of its processes sees it."""

    plugin: Any
    config: Any
    role: int  # 0: the parent, 1..K-1: a worker
    pages: list[Any]  # every page the processes share out, in MkDocs' order
    own: set[str]  # src_uris this process reads and renders
    conns: list[Any]  # parent: a Connection per worker (None once it failed); worker: [to the parent]
    pids: list[int]
    nav_pages: set[str]
    shared: set[str] = field(default_factory=set)  # src_uris of `pages`
    search: dict[str, dict[str, list[Any]]] = field(default_factory=dict)  # plugin name -> src -> entries
    base: dict[str, int] | None = None  # plugin name -> its entries before the first page was rendered
    records: list[logging.LogRecord] = field(default_factory=list)  # a worker's log records, to forward
    exchanged: bool = False
    left: int = 0  # a worker's pages still to render
    packs: set[str] = field(default_factory=set)  # search plugins whose entries' text is held compressed
    names: dict[str, str] = field(default_factory=dict)  # one string per site path and anchor received (apply)

    def skips(self, src: str) -> bool:
        """Another process reads and renders this page (a worker leaves every page but its own)."""
        return src not in self.own and (self.role > 0 or src in self.shared)


def search_lists(config: Any) -> list[tuple[str, list[Any]]]:
    """(plugin name, its index entry list) of every search plugin (Material's and MkDocs' own)."""
    out = []
    for name, plugin in config.plugins.items():
        index = getattr(plugin, "search_index", None)
        entries = getattr(index, "entries", getattr(index, "_entries", None))
        if isinstance(entries, list):
            out.append((name, entries))
    return out


def page_state(run: Run, page: Any) -> dict[str, Any]:
    """What the other processes need of a page read here: title, nav pages' front matter, anchors, files."""
    src = page.file.src_uri
    links = {f.src_uri: dict(v) for f, v in (page.links_to_anchors or {}).items()}
    return {"title": page.title, "meta": page.meta if src in run.nav_pages else None,
            "anchors": page.present_anchor_ids, "links": links,
            "refs": run.plugin.refs.get(run.config.site_dir, {}).get(src)}


def apply(run: Run, files: Any, states: dict[str, dict[str, Any]]) -> None:
    """Give this process's copies of pages read elsewhere what rendering and checking them needs."""
    by_src = {p.file.src_uri: p for p in run.pages}
    refs = run.plugin.refs.setdefault(run.config.site_dir, {})
    one = run.names.setdefault
    for src, st in states.items():
        page = by_src[src]
        page.title = st["title"]
        if st.get("meta") is not None:
            page.meta = st["meta"]
        if "anchors" in st:  # every page's copy of a path or heading id is one string here (kept all build long)
            anchors = st["anchors"]
            page.present_anchor_ids = {one(a, a) for a in anchors} if type(anchors) is set else anchors
            page.links_to_anchors = {f: v for s, v in st["links"].items()
                                     if (f := files.get_file_from_path(s)) is not None} or None
            if st["refs"] is not None:
                refs[src] = {one(r, r) for r in st["refs"]}
