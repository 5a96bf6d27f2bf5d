"""Full-text search: `GET /api/search?q=&limit=&offset=&type=&tag=`, answered from the read model only."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import ModelDep, ViewerDep
from api.routes.common import LOADING, FastJSON, Limit, Name, QueryText
from api.schemas import SearchResponse

router = APIRouter(tags=["search"])


@router.get("/api/search", response_model=SearchResponse, responses=LOADING)
async def search(model: ModelDep, viewer: ViewerDep, q: QueryText = "", limit: Limit = 10,
           offset: Annotated[int, Query(ge=0, le=10_000)] = 0, type: Name = None, tag: Name = None,
           snippets: bool = True) -> Response:
    """BM25-ranked entries with highlighted snippets, optionally filtered by type and tag."""
    return FastJSON(model.search(q, limit, offset, type or None, tag or None, viewer=viewer,
                                 snippets=snippets))
