"""Typeahead: `GET /api/suggest?q=&limit=`, answered from the read model only."""
from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import ModelDep, ViewerDep
from api.routes.common import LOADING, FastJSON, Limit, QueryText
from api.schemas import SuggestResponse

router = APIRouter(tags=["search"])


@router.get("/api/suggest", response_model=SuggestResponse, response_model_exclude_none=True, responses=LOADING)
async def suggest(model: ModelDep, viewer: ViewerDep, q: QueryText = "", limit: Limit = 10) -> Response:
    """Titles, aliases and tags matching what was typed so far (prefixes, typos, any accents or case)."""
    return FastJSON(model.suggest(q, limit, viewer=viewer))
