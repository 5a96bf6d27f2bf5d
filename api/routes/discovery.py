"""Discovery routes: `GET /api/entries/{slug}/related` and `GET /api/duplicates[?title=]`, each one call into the
core's `DiscoveryView` (per viewer; answered from the last build while the next one is made behind)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import ModelDep, SettingsDep, StoreDep, ViewerDep
from api.routes.common import LOADING, Limit
from api.schemas import Item, Problem

if TYPE_CHECKING:
    from kbsync.view.discovery import DiscoveryView

router = APIRouter(tags=["discovery"])


async def get_discovery(settings: SettingsDep, store: StoreDep) -> Any:
    """The discovery view of the store and the settings' content folder (its files give unlinked mentions lines).
    Imported on the first call: discovery loads igraph, scipy and datasketch (seconds), which `kb serve` must not
    wait for before it answers."""
    from kbsync.view.discovery import view_for

    return view_for(settings.content_dir, store)


DiscoveryDep = Annotated[Any, Depends(get_discovery)]  # a kbsync.view.discovery.DiscoveryView


class RelatedItem(Item):
    score: float


class Freshness(BaseModel):
    revision: int | None = None  # the store revision the answer was computed at (None: no build yet)
    stale: bool = False  # the store has moved since: a newer answer is being made behind
    building: bool = False  # no build yet (first call of a fresh process): the lists are empty, ask again


class Related(Freshness):
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


class Duplicates(Freshness):
    title: str | None = None
    hits: list[SimilarHit] | None = None  # with `title`: entries whose title or alias is near it
    pairs: list[DuplicatePair] | None = None  # without: near-duplicate pairs, strongest first


def visible_in(model: Any, viewer: str) -> Any:
    """Visibility now, from the read model (in memory): what the last build's rows are filtered by."""
    return lambda s: model.visible(s, viewer) is not None


def related(view: DiscoveryView, store: Any, viewer: str, slug: str, model: Any = None) -> dict[str, Any]:
    """Shared by the route below and the entries router (which must register it before `/api/entries/{slug}`)."""
    out = view.related_items(store, slug, viewer, visible_in(model, viewer) if model is not None else None)
    if out is None:
        raise HTTPException(404, "no such entry")
    return out


@router.get("/api/duplicates", response_model=Duplicates, response_model_exclude_none=True, responses=LOADING)
async def duplicates(view: DiscoveryDep, store: StoreDep, viewer: ViewerDep, model: ModelDep,
               title: Annotated[str | None, Query(max_length=200, description="a title being typed")] = None,
               limit: Limit = 20) -> dict[str, Any]:
    """Near-duplicate pairs the caller may see, or with `title`, the entries a new one by that title would duplicate.
    Answered from the last build at once (`stale: true` while the next is made behind); only a process's first
    call, with no build yet, waits for one, up to 5 s, then answers `building: true` with an empty list.
    On the loop when current (a few hundred comparisons in memory: a thread hop would cost more than that)."""
    ok = visible_in(model, viewer)
    if view.ready(store, viewer):
        return view.duplicate_items(store, viewer, title, limit, ok)
    return await run_in_threadpool(view.duplicate_items, store, viewer, title, limit, ok)


RELATED_ROUTE: dict[str, Any] = {"response_model": Related,
                                 "responses": {404: {"model": Problem, "description": "no such entry"}, **LOADING}}
SlugPath = Annotated[str, Path(max_length=500)]
