"""`GET /api/query?q=`: a Dataview (DQL) query over the entries the caller may see, as `kb query --json` prints it."""
from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError

from api.deps import HolderDep, ViewerDep
from api.routes.common import LOADING, FastJSON
from api.schemas import QueryResult
from kbsync.view.queries import API_MAX_ROWS, API_TIME_LIMIT

router = APIRouter(tags=["query"])
log = logging.getLogger("kb.api")

MAX_DQL = 2000  # a DQL block is longer than a search box's text, but still bounded

DQL = Annotated[str, Query(min_length=1, max_length=MAX_DQL,
                           description=f"DQL, e.g. `TABLE date FROM #tag SORT date DESC LIMIT 50` (≤ {MAX_DQL} chars)")]


@router.get("/api/query", response_model=QueryResult, responses=LOADING)
def query(holder: HolderDep, viewer: ViewerDep, q: DQL) -> Response:
    """Public entries (private ones too with the token, drafts never); 422 for an invalid query or one past
    the budget (2 s, 10,000 rows)."""
    from kbsync.query import QueryError  # the DQL engine (lark) loads on the first query, not at server start

    try:
        return FastJSON(holder.query(q, viewer, time_limit=API_TIME_LIMIT, max_rows=API_MAX_ROWS))
    except QueryError as exc:  # the same 422 shape as a parameter's: the message names the problem
        raise RequestValidationError([{"loc": ("query", "q"), "msg": str(exc), "type": "value_error"}]) from None
    except Exception as exc:
        log.warning("store unavailable for a query: %s", exc)
        raise HTTPException(503, "the store is unavailable", headers={"Retry-After": "5"}) from exc
