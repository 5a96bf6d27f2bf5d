"""Entry JSON: the one shape of an entry for a viewer (`kb show --json`, `kb export`, the API, `KB.get`)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .visibility import OWNER, PUBLIC, Viewer, can_see

INTERNAL = ("listed_chapters", "field_lines", "hash", "text")  # bookkeeping, or what search serves
OWNER_ONLY = ("problems",)  # a problem can name another file (a duplicate slug), hidden or not


def entry_json(rec: dict[str, Any], viewer: Viewer | str = PUBLIC,
               sees: Callable[[str], bool] | None = None,
               discovery: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """Stored record → entry JSON for `viewer`, or None when the viewer may not see the entry.

    `sees(slug)` says whether the viewer may see another entry (None: none, so failing closed): links to
    hidden entries point nowhere, backlinks, chapters and the document from hidden ones are left out.
    Unresolved @mentions are plain text, not broken links. `discovery`: this entry's discovery fields for
    `viewer` (`kbsync.view.discovery`), with `contexts` ({(source, kind): sentence}) for the backlinks.
    """
    if not can_see(rec, viewer):
        return None

    def ok(slug: Any) -> bool:
        return isinstance(slug, str) and sees is not None and sees(slug)

    hide = INTERNAL if viewer == OWNER else INTERNAL + OWNER_ONLY
    out = {k: v for k, v in rec.items() if k not in hide}
    out["links"] = [ln if ln.get("attachment") else dict(ln, target=ln["target"] if ok(ln.get("target")) else None)
                    for ln in rec.get("links") or [] if not (ln.get("target") is None and ln.get("kind") == "mention")]
    if viewer != OWNER:  # an ambiguous link's other candidates may be hidden entries: only the owner sees their paths
        out["links"] = [dict(ln, ambiguous=True) if ln.get("ambiguous") else ln for ln in out["links"]]
    contexts = (discovery or {}).get("contexts") or {}
    out["backlinks"] = [dict(b, context=contexts.get((b.get("source"), b.get("kind"))))
                        for b in rec.get("backlinks") or [] if ok(b.get("source"))]
    out["chapters"] = [c for c in rec.get("chapters") or [] if ok(c)]
    out["document"] = rec.get("document") if ok(rec.get("document")) else None
    for key, empty in (("tags", []), ("aliases", []), ("fields", {})):
        out[key] = out.get(key) or empty
    found = visible_only(dict(discovery or {}, keywords=(discovery or {}).get("keywords") or rec.get("keywords")), ok)
    out.update(found)
    return out


def visible_only(fields: Mapping[str, Any], ok: Callable[[Any], bool]) -> dict[str, Any]:
    """Discovery fields with every entry `ok` refuses left out: a second check, so a hidden slug never slips out."""
    return {"keywords": list(fields.get("keywords") or []), "topics": list(fields.get("topics") or []),
            "related": [x for x in fields.get("related") or [] if ok(x.get("slug"))],
            "duplicates": [x for x in fields.get("duplicates") or [] if ok(x.get("slug"))],
            "unlinked": [x for x in fields.get("unlinked") or [] if ok(x.get("source"))]}
