"""`GET /api/entries` (summaries from the read model) and `GET /api/entries/{slug}` (the full record)."""
from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from api.deps import ModelDep, PrivateDep, StoreDep
from api.readmodel import ReadModel
from api.routes.common import LOADING, Limit, Name
from api.schemas import Entry, EntryList, Problem

router = APIRouter(tags=["entries"])
log = logging.getLogger("kb.api")
HIDDEN_KEYS = {"hash", "text", "problems"}  # internal, long (search serves text), or naming other files


@router.get("/api/entries", response_model=EntryList, responses=LOADING)
def entries(model: ModelDep, private: PrivateDep, type: Name = None, tag: Name = None, limit: Limit = 50,
            cursor: Annotated[str | None, Query(max_length=1000)] = None) -> dict[str, Any]:
    """Entries in slug order, filtered by type and tag; page with `cursor` = the previous `next_cursor`."""
    return model.entries(type or None, tag or None, limit, cursor or None, include_private=private)


@router.get("/api/entries/{slug:path}", response_model=Entry,
            responses={404: {"model": Problem, "description": "no such entry"}, **LOADING})
def entry(model: ModelDep, store: StoreDep, private: PrivateDep,
          slug: Annotated[str, Path(max_length=500)]) -> dict[str, Any]:
    """One entry with its links and backlinks; hidden targets and sources are left out."""
    if model.visible(slug, private) is None:
        raise HTTPException(404, "no such entry")
    try:
        rec = store.get(slug)  # one indexed query per side (backlink visibility filtered in the query)
    except Exception as exc:
        log.warning("store unavailable for entry %s: %s", slug, exc)
        raise HTTPException(503, "the store is unavailable", headers={"Retry-After": "5"}) from exc
    vis = (rec or {}).get("visibility") or "public"
    if rec is None or vis == "draft" or (vis == "private" and not private):
        raise HTTPException(404, "no such entry")
    return redact(rec, model, private)


def redact(rec: dict[str, Any], model: ReadModel, private: bool) -> dict[str, Any]:
    """Copy of a record where every slug the caller may not see is gone (links point nowhere, backlinks dropped)."""
    out = {k: v for k, v in rec.items() if k not in HIDDEN_KEYS}

    def ok(slug: Any) -> bool:
        return isinstance(slug, str) and model.visible(slug, private) is not None

    out["links"] = [dict(ln, target=ln.get("target") if ok(ln.get("target")) else None)
                    for ln in rec.get("links") or []]
    # backlinks come from public sources only, for everyone
    out["backlinks"] = [b for b in rec.get("backlinks") or [] if model.visible(b.get("source", ""), False) is not None]
    if "chapters" in out:
        out["chapters"] = [c for c in out.get("chapters") or [] if ok(c)]
    if out.get("document") is not None and not ok(out["document"]):
        out["document"] = None
    for key in ("title", "url", "type"):
        out[key] = out.get(key) or model.item(model.by_slug[rec["slug"]])[key]
    out.setdefault("tags", [])
    out.setdefault("aliases", [])
    out.setdefault("fields", {})
    out.setdefault("path", f"{rec['slug']}.md")
    return out
