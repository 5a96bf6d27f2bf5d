"""The link graph: a neighbourhood (`/api/graph`) and the shortest path between two entries (`/api/graph/path`)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from api.deps import ModelDep, ViewerDep
from api.routes.common import LOADING
from api.schemas import Graph, GraphPath, Problem

router = APIRouter(tags=["graph"])
Slug = Annotated[str, Query(min_length=1, max_length=500)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "no such entry"}, **LOADING}


@router.get("/api/graph", response_model=Graph, responses=NOT_FOUND)
def graph(model: ModelDep, viewer: ViewerDep, center: Slug,
          depth: Annotated[int, Query(ge=0, le=3)] = 1) -> dict[str, Any]:
    """Entries within `depth` links of `center` (either direction) and the links between them (≤ 500 nodes)."""
    g = model.graph(center, depth, viewer=viewer)
    if g is None:
        raise HTTPException(404, "no such entry")
    return g


@router.get("/api/graph/path", response_model=GraphPath, responses=NOT_FOUND)
def path(model: ModelDep, viewer: ViewerDep, src: Slug, dst: Slug) -> dict[str, Any]:
    """The shortest chain of links from `src` to `dst`, following links in either direction."""
    out = model.path_json(src, dst, viewer)
    if out is None:
        raise HTTPException(404, "no such entry")
    return out
