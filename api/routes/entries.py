"""`GET /api/entries` (summaries from the read model) and `GET /api/entries/{slug}` (the full record)."""
from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from api.deps import ModelDep, StoreDep, ViewerDep
from api.routes.common import LOADING, FastJSON, Limit, Name
from api.routes.discovery import RELATED_ROUTE, DiscoveryDep, related
from api.schemas import Entry, EntryList, Problem

router = APIRouter(tags=["entries"])
log = logging.getLogger("kb.api")


@router.get("/api/entries", response_model=EntryList, responses=LOADING)
def entries(model: ModelDep, viewer: ViewerDep, type: Name = None, tag: Name = None, limit: Limit = 50,
            cursor: Annotated[str | None, Query(max_length=1000)] = None) -> dict[str, Any]:
    """Entries in slug order, filtered by type and tag; page with `cursor` = the previous `next_cursor`."""
    return model.entries(type or None, tag or None, limit, cursor or None, viewer=viewer)


# Before `/api/entries/{slug}`, whose path parameter would take `x/related` as a slug.
@router.get("/api/entries/{slug:path}/related", **RELATED_ROUTE)
def entry_related(model: ModelDep, view: DiscoveryDep, store: StoreDep, viewer: ViewerDep,
                  slug: Annotated[str, Path(max_length=500)]) -> Any:
    """The entries most related to this one (link graph and shared words), top 5 with scores."""
    if model.visible(f"{slug}/related", viewer) is not None:  # an entry's own URL wins (`notes/related.md`)
        return FastJSON(entry(model, view, store, viewer, f"{slug}/related"))
    return related(view, store, viewer, slug, model)


@router.get("/api/entries/{slug:path}", response_model=Entry,
            responses={404: {"model": Problem, "description": "no such entry"}, **LOADING})
def entry(model: ModelDep, view: DiscoveryDep, store: StoreDep, viewer: ViewerDep,
          slug: Annotated[str, Path(max_length=500)]) -> dict[str, Any]:
    """One entry with its links, backlinks (with context sentences) and discovery fields (keywords, topics,
    related, duplicates, unlinked mentions); hidden targets and sources are left out."""
    try:
        out = view.entry(model, store, slug, viewer)
    except Exception as exc:
        log.warning("store unavailable for entry %s: %s", slug, exc)
        raise HTTPException(503, "the store is unavailable", headers={"Retry-After": "5"}) from exc
    if out is None:
        raise HTTPException(404, "no such entry")
    return out
