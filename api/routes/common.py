"""Shared query parameter limits and documented error responses."""
from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse

from api.schemas import Problem

MAX_Q = 200
MAX_LIMIT = 100

QueryText = Annotated[str, Query(max_length=MAX_Q, description="what the user typed (plain text, ≤ 200 chars)")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Name = Annotated[str | None, Query(max_length=MAX_Q)]

LOADING: dict[int | str, dict[str, Any]] = {
    503: {"model": Problem, "description": "the read model is still loading"},
    401: {"model": Problem, "description": "wrong API token"},
}


class FastJSON(JSONResponse):
    """JSON without a second pass through the response model (the read model builds exact shapes; the
    OpenAPI schema still documents them and the schemathesis test checks they match)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
