"""Incremental rebuilds: a render key per page (entry hash + dependency hashes); unchanged pages are skipped.

MkDocs' dirty build asks `File.is_modified()` per page; the plugin answers it from these keys instead
of file mtimes, so an edit re-renders the edited entry and the pages that show something of it
(backlinks, link titles, embeds, chapters), and nothing else. Keys live in the (persistent)
plugin instance: a fresh process renders everything once.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import orjson

from .index import SiteIndex


def _h(data: Any) -> str:
    # Keys are compared only with keys this process made, so any stable encoding will do: orjson is ~5x faster.
    try:
        raw = orjson.dumps(data, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:  # integers beyond 64 bits (YAML allows them)
        raw = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


def entry_key(index: SiteIndex, slug: str, global_key: str) -> str:
    """Everything an entry page's HTML depends on."""
    r = index.records[slug]
    peer = index.faces.get  # what a page shows of another entry (computed once per build, not per link)

    links = r.get("links") or []
    embeds = _embedded(index, links, peer, 16, {slug})  # deeper than any embed_depth renders: a bound, not a rule
    backs = [(b.get("source"), b.get("kind"), peer(b.get("source"))) for b in r.get("backlinks") or []]
    doc = r.get("document") or (slug if r.get("chapters") else None)
    chapters = [peer(c) for c in (index.records.get(doc, {}).get("chapters") or [])] if doc else []
    return _h([global_key, r.get("hash"), r.get("title"), r.get("tags"), r.get("fields"), r.get("created"),
               r.get("updated"), [(ln.get("raw"), ln.get("kind"), peer(ln.get("target"))) for ln in links],
               embeds, backs, peer(doc), chapters])


def _embedded(index: SiteIndex, links: list[Any], peer: Any, depth: int, seen: set[str]) -> list[Any]:
    """What embedded entries show: their source, and what their own links point to (a link in an embedded
    body turns broken when its target goes), nested embeds included, as deep as embeds render."""
    out: list[Any] = []
    for ln in links:
        target = ln.get("target")
        if ln.get("kind") != "embed" or target not in index.records or target in seen or depth <= 0:
            continue
        inner = index.records[target].get("links") or []
        out.append((index.records[target].get("hash"), [(x.get("raw"), x.get("kind"), peer(x.get("target")))
                                                        for x in inner],
                    _embedded(index, inner, peer, depth - 1, seen | {target})))
    return out


class RenderCache:
    """Keys of the last build per site dir; decides which pages a dirty build must re-render."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, str]] = {}  # site_dir -> src_uri -> key
        self.outputs: dict[str, set[str]] = {}  # site_dir -> dest paths written by the last build
        # site_dir -> src_uri -> the title MkDocs gave the page when it was last rendered. A dirty build does
        # not read skipped pages, so their titles would be None in the nav of the pages it does render.
        self.titles: dict[str, dict[str, str | None]] = {}

    def mark(self, site_dir: str, file: Any, key: str, new_keys: dict[str, str]) -> None:
        """Make `file.is_modified()` true only when its key changed or its output is missing."""
        new_keys[file.src_uri] = key
        old = self.keys.get(site_dir, {}).get(file.src_uri)
        changed = old != key or not os.path.isfile(file.abs_dest_path)
        file.is_modified = (lambda c=changed: c)

    def commit(self, site_dir: str, new_keys: dict[str, str], outputs: set[str]) -> list[str]:
        """Remember this build; return stale outputs (pages now hidden or gone) to delete."""
        stale = sorted(self.outputs.get(site_dir, set()) - outputs)
        self.keys[site_dir] = new_keys
        self.outputs[site_dir] = outputs
        titles = self.titles.get(site_dir, {})
        self.titles[site_dir] = {src: t for src, t in titles.items() if src in new_keys}
        return stale

    def keep_titles(self, site_dir: str, pages: Any) -> None:
        """Give pages this dirty build skips the titles they were rendered with."""
        titles = self.titles.get(site_dir, {})
        for page in pages:
            src = page.file.src_uri
            if page.title is None and not page.file.is_modified() and src in titles:
                page.title = titles[src]


def refresh_faces(index: SiteIndex, slugs: Any) -> None:
    """Bring `index.faces` up to date for these slugs' records, when it was computed (a fresh one is a pass over
    every record: ~0.3 s at 100,000 entries, on an edited page's path when it needs a render key)."""
    faces = index.__dict__.get("faces")
    if faces is None:
        return
    for s in slugs:
        r = index.records.get(s)
        if r is None:
            faces.pop(s, None)
        else:
            faces[s] = (s, r.get("title"), r.get("visibility"), r.get("document"), r.get("type"))
