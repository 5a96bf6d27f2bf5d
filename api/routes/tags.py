"""`GET /api/tags`: every tag with the number of entries the caller may see."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ModelDep, ViewerDep
from api.routes.common import LOADING
from api.schemas import TagCount

router = APIRouter(tags=["entries"])


@router.get("/api/tags", response_model=list[TagCount], responses=LOADING)
async def tags(model: ModelDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    """Tags, most used first."""
    return model.tags(viewer=viewer)
