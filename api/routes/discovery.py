"""Discovery routes: `GET /api/entries/{slug}/related` and `GET /api/duplicates[?title=]`, each one call into the
core's `DiscoveryView` (per viewer, rebuilt when the store's revision moves)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import SettingsDep, StoreDep, ViewerDep
from api.routes.common import LOADING, Limit
from api.schemas import Item, Problem
from kbsync.view.discovery import DiscoveryView, view_for

router = APIRouter(tags=["discovery"])


async def get_discovery(settings: SettingsDep, store: StoreDep) -> DiscoveryView:
    """The discovery view of the store and the settings' content folder (its files give unlinked mentions lines)."""
    return view_for(settings.content_dir, store)


DiscoveryDep = Annotated[DiscoveryView, Depends(get_discovery)]


class RelatedItem(Item):
    score: float


class Related(BaseModel):
    slug: str
    related: list[RelatedItem]  # best first, at most 5


class SimilarHit(Item):
    score: float  # 0-1
    reason: str  # e.g. `alias 100%`


class DuplicatePair(BaseModel):
    a: Item
    b: Item
    score: float
    reason: str  # e.g. `title 94%, body 0.87`


class Duplicates(BaseModel):
    title: str | None = None
    hits: list[SimilarHit] | None = None  # with `title`: entries whose title or alias is near it
    pairs: list[DuplicatePair] | None = None  # without: near-duplicate pairs, strongest first


def related(view: DiscoveryView, store: Any, viewer: str, slug: str) -> dict[str, Any]:
    """Shared by the route below and the entries router (which must register it before `/api/entries/{slug}`)."""
    out = view.related_items(store, slug, viewer)
    if out is None:
        raise HTTPException(404, "no such entry")
    return out


@router.get("/api/duplicates", response_model=Duplicates, response_model_exclude_none=True, responses=LOADING)
async def duplicates(view: DiscoveryDep, store: StoreDep, viewer: ViewerDep,
               title: Annotated[str | None, Query(max_length=200, description="a title being typed")] = None,
               limit: Limit = 20) -> dict[str, Any]:
    """Near-duplicate pairs the caller may see, or with `title`, the entries a new one by that title would duplicate.
    Answered on the loop once built (a few hundred comparisons in memory: a thread hop would cost more than that);
    the first call after the store moves builds the viewer's discovery in a worker thread."""
    if view.ready(store, viewer):
        return view.duplicate_items(store, viewer, title, limit)
    return await run_in_threadpool(view.duplicate_items, store, viewer, title, limit)


RELATED_ROUTE: dict[str, Any] = {"response_model": Related,
                                 "responses": {404: {"model": Problem, "description": "no such entry"}, **LOADING}}
SlugPath = Annotated[str, Path(max_length=500)]
