"""The home page as a dashboard: counts, recent changes, top types/tags/topics, documents, the explorer."""
from __future__ import annotations

import heapq
import logging
from typing import Any

from kbsync.tags import group

from .escaping import esc
from .explorer import explorer_tree
from .index import SiteIndex, relative, tag_url, type_url
from .pages import GEN, GenPage

log = logging.getLogger("mkdocs.plugins.kb")
RECENT = 15
TOP = 24


def _a(href: str, text: str, klass: str = "") -> str:
    k = f' class="{klass}"' if klass else ""
    return f'<a{k} href="{esc(href)}">{esc(text)}</a>'


def _card(title: str, body: str, klass: str = "") -> str:
    return f'<section class="kb-card {klass}"><h2 class="kb-card-title">{esc(title)}</h2>{body}</section>'


def broken_count(index: SiteIndex) -> int:
    """Links of public entries that resolve to nothing (the owner's to-do list, not the public's)."""
    return sum(1 for s in index.public for ln in index.records[s].get("links") or []
               if ln.get("target") is None and not ln.get("attachment"))


def discovery_topics(index: SiteIndex, store_url: str | None) -> list[tuple[str, int]]:
    """(label, public entries) of the public viewer's topics, when discovery results sit beside the store."""
    if not store_url or not store_url.startswith("sqlite:///"):
        return []
    from .topics import results_path

    path = results_path(store_url)
    if path is None or not path.is_file():
        return []
    try:
        from kbsync.discovery.results import Results

        db = Results(path)
        try:  # the site's own (saved by this build's discovery, before this page), else the API's public ones
            topics = db.topics("site") or db.topics("public")
        finally:
            db.close()
    except Exception as exc:  # results are optional: a stale or foreign file omits the card, never the build
        log.info(f"kb: topics not shown: {path}: {exc}")
        return []
    out = []
    for t in topics:
        n = sum(1 for s in t.get("entries") or [] if index.is_public(s))
        if n and t.get("label"):
            out.append((str(t["label"]), n))
    return sorted(out, key=lambda x: (-x[1], x[0]))[:TOP]


def _recent(index: SiteIndex) -> str:
    def when(s: str) -> str:
        r = index.records[s]
        return str(r.get("updated") or r.get("date") or r.get("created") or "")[:10]

    # newest first; equal dates by slug, so the list is the same in every build. Only the entries as new as the
    # RECENT-th newest are sorted: an edit's follow-up makes this page again (all entries: 100,000 at scale).
    dates = {s: when(s) for s in index.public}
    if len(dates) > RECENT:
        floor = heapq.nlargest(RECENT, dates.values())[-1]
        dates = {s: d for s, d in dates.items() if d >= floor}
    slugs = sorted(sorted(dates), key=dates.__getitem__, reverse=True)[:RECENT]
    rows = "".join(f'<li><span class="kb-date">{esc(when(s))}</span> {_a(index.page_url(s), index.title(s))}</li>'
                   for s in slugs)
    return f'<ul class="kb-list kb-recent">{rows}</ul>'


def _folders(tree: dict[str, Any]) -> str:
    """Top-level folders with counts, then root entries: what kb-chrome.js turns into the explorer tree."""
    rows = [f'<li><span class="kb-folder-name">{esc(d["n"])}</span> <span class="kb-count">{d["c"]}</span></li>'
            for d in tree["d"]]
    rows += [f"<li>{_a(e[1], e[0])}</li>" for e in tree["e"]]
    return f'<div class="kb-explorer" data-kb-explorer="home"><ul class="kb-tree">{"".join(rows)}</ul></div>'


def home_page(index: SiteIndex, site_name: str, *, tags: bool, types: bool, graph: bool, documents: list[str],
              topics: list[tuple[str, int]] | None = None, broken: int | None = None,
              kinds: dict[str, Any] | None = None, tag_groups: dict[str, Any] | None = None,
              tree: dict[str, Any] | None = None) -> GenPage:
    """Dashboard at `/`: every link is relative to the root, every name escaped text. `kinds`, `tag_groups` (sized
    collections of entries) and the explorer `tree`: what an edit's follow-up keeps instead of recomputing."""
    kinds = index.types() if kinds is None else kinds
    if tag_groups is None:
        tag_groups = group((s, index.records[s].get("tags") or []) for s in sorted(index.public)) if tags else {}
    tree = explorer_tree(index) if tree is None else tree
    stats: list[tuple[str, Any, str]] = [("entries", len(index.public), "")]
    if types:
        stats.append(("types", len(kinds), "types/"))
    if tags:
        stats.append(("tags", len(tag_groups), "tags/"))
    stats.append(("folders", len(tree["d"]), ""))
    if documents:
        stats.append(("documents", len(documents), ""))
    if broken is not None:
        stats.append(("broken links", broken, ""))
    cells = "".join(f'<div class="kb-stat"><span class="kb-stat-n">{n}</span> '
                    + (_a(href, label) if href else f"<span>{esc(label)}</span>") + "</div>" for label, n, href in stats)
    parts = [f"# {esc(site_name)}\n", f'<div class="kb-stats kb-home-links">{cells}'
             + (f'<div class="kb-stat">{_a("graph/", "Graph")}</div>' if graph else "") + "</div>",
             '<div class="kb-dash">', _card("Recent changes", _recent(index), "kb-card-recent")]
    if types:
        parts.append(_card("Types", '<div class="kb-chips">' + " ".join(
            _a(type_url(k), f"{k} {len(v)}", "kb-type") for k, v in sorted(
                kinds.items(), key=lambda kv: (-len(kv[1]), kv[0]))) + "</div>"))
    if tags:
        top = sorted(tag_groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP]
        parts.append(_card("Top tags", '<div class="kb-chips">' + " ".join(
            _a(tag_url(t), f"#{t} {len(v)}", "kb-tag") for t, v in top) + "</div>"))
    if topics:
        parts.append(_card("Topics", '<ul class="kb-topics">' + "".join(
            f'<li>{esc(label)} <span class="kb-count">{n}</span></li>' for label, n in topics) + "</ul>"))
    if documents:
        parts.append(_card("Documents", '<ul class="kb-list kb-recent">' + "".join(
            f"<li>{_a(relative(index.page_url(d), ''), index.title(d))}</li>" for d in documents) + "</ul>"))
    parts.append(_card("Explorer", _folders(tree), "kb-card-explorer"))
    parts.append("</div>")
    return GenPage(f"{GEN}/home.md", "", site_name, "\n".join(parts) + "\n")


def home_for(plugin: Any, index: SiteIndex, config: Any, **kept: Any) -> GenPage:
    """The home page of the site `plugin` builds (`kept`: the `home_page` inputs a follow-up keeps)."""
    from .index import default_store_url

    opts = plugin.config
    docs = sorted(s for s in index.public if index.records[s].get("chapters")) if opts.documents else []
    return home_page(index, plugin.site_name, tags=opts.tag_pages, types=opts.type_pages, graph=opts.graph,
                     documents=docs, topics=discovery_topics(index, opts.store_url or default_store_url(config.docs_dir)),
                     broken=broken_count(index) if opts.home_broken_links else None, **kept)
