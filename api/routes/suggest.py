"""Typeahead: `GET /api/suggest?q=&limit=`, answered from the read model only."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ModelDep, PrivateDep
from api.routes.common import LOADING, Limit, QueryText
from api.schemas import SuggestResponse

router = APIRouter(tags=["search"])


@router.get("/api/suggest", response_model=SuggestResponse, response_model_exclude_none=True, responses=LOADING)
def suggest(model: ModelDep, private: PrivateDep, q: QueryText = "", limit: Limit = 10) -> dict[str, Any]:
    """Titles, aliases and tags matching what was typed so far (prefixes, typos, any accents or case)."""
    return model.suggest(q, limit, include_private=private)
