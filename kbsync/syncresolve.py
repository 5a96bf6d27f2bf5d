"""Link resolution for an incremental sync: the new records' edges, and old edges whose keys a change touched."""
from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .paths import stem_of
from .reading import Plan
from .resolve import Resolver, chapter_targets, lookup_key, name_keys
from .store.base import NAME_KEYS, Batch, Edge, Store

if TYPE_CHECKING:
    from .sync import _Known


def name_row(rec: dict[str, Any]) -> dict[str, Any]:
    """The light row link resolution needs (what `Store.names()` returns)."""
    return {k: rec.get(k) for k in NAME_KEYS}


def resolve_batch(store: Store, batch: Batch, records: dict[str, dict[str, Any]], raw_edges: dict[str, list[Edge]],
                  old_names: dict[str, dict[str, Any]], plan: Plan, winners: set[str], known: _Known,
                  full: bool) -> dict[str, dict[str, Any]]:
    """Resolve the new records' edges and re-resolve old edges whose keys a change touched.

    Returns the name rows of the new records (the caller keeps them for its cache)."""
    # Set operations and dict copies run in C: a one-file sync must not pay a Python loop per entry here.
    lost = old_names.keys() - winners
    names = dict(old_names)
    for p in lost:
        del names[p]
    new_rows = {p: name_row(r) for p, r in records.items()}
    names.update(new_rows)
    changed = records.keys() | lost
    resolver = _resolver(known, names, plan, full, changed)

    affected: set[str] = set()
    folders: set[str] = set()
    for path, rec in records.items() if old_names else ():  # a first or full sync has nothing old to re-resolve
        old = old_names.get(path)
        if old is None or any(old.get(k) != rec.get(k) for k in ("title", "aliases", "type", "handle")):
            affected |= name_keys(rec) | (name_keys(old) if old else set())
        if old is None:
            folders.add(posixpath.dirname(path))
    for path in lost:
        affected |= name_keys(old_names[path])
        folders.add(posixpath.dirname(path))
    for p in [*plan.gone, *(f.path for f in plan.new_attachments)]:
        affected.add(p.rsplit("/", 1)[-1].lower())
        folders.add(posixpath.dirname(p))

    if not old_names:  # a first or full sync: nothing old to re-resolve
        affected, folders = set(), set()
    # New and changed entries: every edge, plus document chapters.
    for path, rec in records.items():
        batch.edges[rec["slug"]] = [_resolve_edge(e, path, resolver) for e in raw_edges.pop(path)] + \
            _chapter_edges(rec, resolver, plan)
    # Unchanged entries whose links may now resolve differently.
    touched = {e.src for e in store.edges_with_keys(affected)} if affected else set()
    if folders:
        touched |= {r["slug"] for p, r in names.items() if _is_document(r) and posixpath.dirname(p) in folders}
    touched -= set(batch.edges) | set(batch.deletes)
    by_slug = {r["slug"]: r for r in names.values()} if touched else {}
    current: dict[str, list[Edge]] = defaultdict(list)
    for e in store.edges_from(sorted(touched)):
        current[e.src].append(e)
    for src in touched:
        row = by_slug.get(src)
        if row is None:
            continue
        old_edges = current.get(src, [])
        new_edges = [_resolve_edge(e, row["path"], resolver) for e in old_edges if e.kind != "chapter"]
        new_edges += _chapter_edges(row, resolver, plan)
        if [_cmp(e) for e in new_edges] != [_cmp(e) for e in old_edges]:
            batch.edges[src] = new_edges
    return new_rows


def _resolver(known: _Known, names: dict[str, dict[str, Any]], plan: Plan, full: bool,
              changed: set[str]) -> Resolver:
    """Update the cached resolver in place for the paths that changed; rebuild when many did."""
    r = known.resolver
    if full or r is None or r.attachments != plan.attachments or len(changed) > 1000:
        r = Resolver(names.values(), plan.attachments)
    else:
        for path in changed:
            r.remove(path)
            if path in names:
                r.add(names[path])
    known.resolver = r
    return r


def _cmp(e: Edge) -> tuple[Any, ...]:
    return (e.dst, e.kind, e.raw, e.line, e.ambiguous, e.attachment, e.target)


def _is_document(row: dict[str, Any]) -> bool:
    # The cheap tests first: this runs for every entry of a full sync, and few are documents.
    return (row.get("listed_chapters") is not None or row.get("type") == "document") and \
        stem_of(row["path"]).lower() == "index"


def _chapter_edges(row: dict[str, Any], resolver: Resolver, plan: Plan) -> list[Edge]:
    if not _is_document(row):
        return []
    out = []
    for i, target in enumerate(chapter_targets(row["path"], row.get("listed_chapters"), plan.md)):
        r = resolver.resolve(target, row["path"])
        out.append(Edge(src=row["slug"], dst=r.slug if r else None, kind="chapter", raw=target,
                        key=lookup_key(target), line=0, target=target, seq=i))
    return out


def _resolve_edge(e: tuple[Any, ...], src_path: str, resolver: Resolver) -> Edge:
    """Resolve one Edge, or one Edge-shaped plain tuple (how raw edges come back from reading workers)."""
    src, _, kind, raw, key, line, anchor, label, _, _, target, md, seq = e
    r = resolver.person(target, src_path) if kind == "mention" else resolver.resolve(target, src_path, md_link=md)
    dst, att, amb = (None, False, ()) if r is None else (r.slug or r.attachment, r.attachment is not None, r.ambiguous)
    # tuple.__new__: the NamedTuple's own __new__ is a Python function, a third of this call at 700k edges.
    return _new_tuple(Edge, (src, dst, kind, raw, key, line, anchor, label, att, amb, target, md, seq))  # type: ignore[no-any-return]


_new_tuple = tuple.__new__
