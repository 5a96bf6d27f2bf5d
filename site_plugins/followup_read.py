"""What an edit changed, read from the store by slug: the edited records, the records the sync changed through
them (link targets gain or lose a backlink; links elsewhere re-resolve when a name moved), and which pages show
something of them. Raises Fallback for an edit that changes which pages exist (a dirty build's work)."""
from __future__ import annotations

import itertools
from typing import Any

from kbsync.resolve import name_keys
from kbsync.store.assemble import backlink_rows
from kbsync.visibility import PUBLIC, can_see

from .incremental import refresh_faces

NAME_FIELDS = ("title", "aliases", "type", "handle")  # what links resolve by (kbsync.sync re-resolves on these)
DOC_FIELDS = ("chapters", "document", "listed_chapters")  # documents are in the nav
EMBED_DEPTH = 16  # as deep as render keys follow embeds (incremental.entry_key)


class Fallback(Exception):
    """The edit changes what exists on the site: a dirty build's work."""


ABSENT = "_absent"  # the key that marks `absent()`'s stand-ins


def absent(rec: dict[str, Any]) -> dict[str, Any]:
    """A stand-in for `rec` before it was added or after it was deleted: no visibility, so a draft (visibility
    fails closed), at the path and URL it has or had. With it an added entry is shown and a deleted one hidden."""
    return {"slug": rec["slug"], "path": rec["path"], "url": rec.get("url"), ABSENT: True}


def read_edited(store: Any, index: Any, changed: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The edited records, read by slug (a deleted entry's: its `absent` stand-in), and the stand-ins of the
    entries added (what they were before); raises Fallback for an edit only a build can publish. (Cheap: the
    edited page's first step waits for this alone.)"""
    fresh, came = {}, {}
    for s in changed:
        old, rec = index.records.get(s), store.get(s)
        if old is None and rec is None:
            continue  # added and deleted again between two syncs: never on the site
        if old is None:
            old = came[s] = absent(rec)
            if rec["path"] in index.by_path:
                raise Fallback(f"{s} added at {rec['path']}, another entry's path (its slug changed)")
        fresh[s] = check(index, s, old, absent(old) if rec is None else rec)
    return fresh, came


def read_linked(store: Any, index: Any, old: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """The other records the sync changed through the edited ones (`old` -> `fresh`): link targets whose stored
    backlinks moved (a hub's are tens of thousands: made from the kept record, not read), links elsewhere that
    re-resolve when a name moved (read). Raises Fallback when one of them appeared or went."""
    backed: set[str] = set()
    named: set[str] = set()
    for s, rec in fresh.items():
        backed |= backlinked(s, old[s], rec)
        if any(old[s].get(k) != rec.get(k) for k in NAME_FIELDS):  # links elsewhere may now find it, or lose it
            named |= {e.src for e in store.edges_with_keys(name_keys(old[s]) | name_keys(rec))}
    others = {}
    for s in sorted((backed | named) - fresh.keys()):
        was = index.records.get(s)
        got = rebacklinked(was, fresh) if s not in named and was is not None else store.get(s)
        if got is None or was is None or can_see(got, PUBLIC) != can_see(was, PUBLIC):
            raise Fallback(f"{s} appeared or went")
        if got != was:
            others[s] = got
    return others


def rebacklinked(rec: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """`rec` as the store now has it when only the edited records `fresh` moved (its backlinks from them): what
    `kbsync.store.assemble` gives, public sources' links only, one per (source, kind), sorted, never itself."""
    slug = rec["slug"]
    kept = ((b["source"], b["kind"]) for b in rec.get("backlinks") or [] if b["source"] not in fresh)
    new = ((s, k) for s, r in fresh.items() if can_see(r, PUBLIC) for k in _kinds(r).get(slug, ()))
    return {**rec, "backlinks": backlink_rows(itertools.chain(kept, new), slug)}


def backlinked(slug: str, old: dict[str, Any], rec: dict[str, Any]) -> set[str]:
    """The entries whose stored backlinks (source, kind: kbsync.store.assemble) name `slug` differently now; a
    hub target has thousands of backlinks, so one that did not move is not read again."""
    if can_see(old, PUBLIC) != can_see(rec, PUBLIC):  # backlinks list public sources only
        return targets(old) | targets(rec)
    was, now = _kinds(old), _kinds(rec)
    return {t for t in was.keys() | now.keys() if was.get(t) != now.get(t)}


def _kinds(rec: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for ln in rec.get("links") or []:
        if ln.get("target") and not ln.get("attachment"):
            out.setdefault(ln["target"], set()).add(ln.get("kind", "link"))
    return out


def targets(rec: dict[str, Any]) -> set[str]:
    return {ln["target"] for ln in rec.get("links") or [] if ln.get("target") and not ln.get("attachment")}


def attachments(rec: dict[str, Any]) -> set[str]:
    return {ln["target"] for ln in rec.get("links") or [] if ln.get("target") and ln.get("attachment")}


def check(index: Any, slug: str, old: dict[str, Any] | None, rec: dict[str, Any] | None) -> dict[str, Any]:
    """`rec`, when the edit from `old` to it is one the follow-up can publish; else raises Fallback."""
    if rec is None or old is None:
        raise Fallback(f"{slug} added or deleted")
    came_or_went = bool(rec.get(ABSENT) or old.get(ABSENT))
    if came_or_went and any(permalinked(r) or r.get("chapters") or r.get("document")
                            or r.get("listed_chapters") is not None for r in (old, rec)):
        raise Fallback(f"{slug} added or deleted: a permalink (redirects), or a document (the nav lists them)")
    if index.is_public(slug) != can_see(rec, PUBLIC) and (old.get("chapters") or old.get("document")
                                                          or attachments(old) or attachments(rec)):
        raise Fallback(f"{slug} hidden or shown: a document, or attachments only it may publish")
    if not index.is_public(slug) and can_see(old, PUBLIC):
        raise Fallback(f"{slug} is not published (excluded)")
    if rec.get("path") != old.get("path") or rec.get("url") != old.get("url"):
        raise Fallback(f"{slug} moved")
    if not came_or_went and any(rec.get(k) != old.get(k) for k in DOC_FIELDS):
        raise Fallback(f"{slug}'s document changed")
    if (old.get("chapters") or old.get("document")) and rec.get("title") != old.get("title"):
        raise Fallback(f"{slug}: a document's title is in the nav")
    if attachments(rec) != attachments(old):
        raise Fallback(f"{slug} links other attachments")
    return rec


def forget(index: Any, slug: str) -> None:
    """A deleted entry's stand-in leaves the index."""
    rec = index.records.pop(slug)
    if index.by_path.get(rec["path"]) is rec:
        del index.by_path[rec["path"]]
    index.public.discard(slug)
    refresh_faces(index, [slug])  # one rule for the faces cache: a slug without a record leaves it


def permalinked(rec: dict[str, Any]) -> bool:
    """Published at a URL of its own (`url:`), not at its slug's."""
    return bool(rec.get("url")) and rec["url"].lstrip("/") != f"{rec['slug']}/"


def face(r: dict[str, Any]) -> tuple[Any, ...]:
    """What other pages show of an entry (SiteIndex.faces, less the slug)."""
    return r.get("title"), r.get("visibility"), r.get("document"), r.get("type")


def page_inputs(index: Any, slug: str) -> Any:
    """The part of `SiteIndex.page_inputs()` that is this entry's (what tag, type and home pages show of it)."""
    r = index.records[slug]
    rel = [(ln.get("kind"), ln.get("target")) for ln in r.get("links") or []
           if ln.get("kind", "link") not in ("link", "embed", "mention", "chapter")]
    return (r["path"], r.get("title"), r.get("type"), r.get("tags"), r.get("fields"), r.get("date"),
            r.get("updated"), bool(r.get("chapters")), rel, r.get("created"), index.is_public(slug))


def embedded(r: dict[str, Any]) -> tuple[Any, ...]:
    """What a page embedding the entry shows of it (as `incremental._embedded` keys it): body and links."""
    return r.get("hash"), [(ln.get("raw"), ln.get("kind"), ln.get("target")) for ln in r.get("links") or []]


def candidates(index: Any, updated: dict[str, Any], old: dict[str, Any], faces: set[str]) -> set[str]:
    """Pages that may show something of the updated entries: themselves, their document, the pages they link to
    and that link to them (before and after the edit) when what those show of them (`faces`) moved, and every
    page embedding one that shows it in its body, transitively (not the pages embedding a link target: its
    backlinks panel is not embedded)."""
    # pages whose body shows something that moved: the embed closure starts from them (a link target whose
    # backlinks alone moved re-renders itself, not the thousands of pages a hub may be embedded in)
    shows = {s for s, rec in updated.items() if s in faces or embedded(old[s]) != embedded(rec)}
    linked: set[str] = set(updated)
    for s, rec in updated.items():
        for r in (old[s], rec):
            if s in faces:
                linked |= targets(r)
                shows |= {x.get("source") for x in r.get("backlinks") or [] if x.get("source")}
            doc = r.get("document") or (s if r.get("chapters") else None)
            if doc:
                shows |= {doc, *(index.records.get(doc, {}).get("chapters") or [])}
    frontier = set(shows)
    for _ in range(EMBED_DEPTH):
        frontier = {x.get("source") for s in frontier for r in (index.records.get(s), updated.get(s), old.get(s))
                    if r for x in r.get("backlinks") or [] if x.get("kind") == "embed" and x.get("source")} - shows
        if not frontier:
            break
        shows |= frontier
    return {s for s in shows | linked if s in index.records}


def relation_sources(updated: dict[str, Any], old: dict[str, Any], faces: set[str]) -> set[str]:
    """Entries whose table rows show an updated entry's title (a typed relation to it): tag and type pages."""
    from .index import RELATION_SKIP

    return {x["source"] for s in faces for r in (old[s], updated[s]) for x in r.get("backlinks") or []
            if x.get("source") and x.get("kind", "link") not in RELATION_SKIP}
