"""Liveness (`/api/health`, degraded when the store is unreachable) and readiness (`/api/ready`)."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import HolderDep
from api.schemas import Health
from kbsync.view.refresher import ModelHolder

router = APIRouter(tags=["health"])


def _health(holder: ModelHolder, request: Request | None = None) -> Health:
    model = holder.model
    status: Literal["ok", "degraded", "starting"] = (
        "starting" if model is None or not _synced(request) else "ok" if holder.store_ok else "degraded")
    return Health(status=status, store="ok" if holder.store_ok else "unreachable",
                  revision=model.revision if model else None, entries=len(model.by_slug) if model else 0,
                  error=holder.last_error, site=_site(request))


def _synced(request: Request | None) -> bool:
    """False while `kb serve`'s start-up sync runs (it sets `app.state.store_synced`): the store is not current yet."""
    synced = getattr(request.app.state, "store_synced", None) if request is not None else None
    return not callable(synced) or bool(synced())


def _site(request: Request | None) -> Any:
    """The site build's state, when this process builds one (`kb serve` sets `app.state.site_status`)."""
    status = getattr(request.app.state, "site_status", None) if request is not None else None
    return status() if callable(status) else None


@router.get("/api/health", response_model=Health)
def health(holder: HolderDep, request: Request) -> Health:
    """Always 200 while the process runs; `status` is `degraded` when serving a stale model without a store."""
    return _health(holder, request)


@router.get("/api/ready", response_model=Health, responses={503: {"model": Health, "description": "not ready"}})
def ready(holder: HolderDep, request: Request) -> JSONResponse:
    """200 when the store is reachable and a read model is loaded, else 503; `site` says if the site is complete."""
    h = _health(holder, request)
    return JSONResponse(h.model_dump(), status_code=200 if h.status == "ok" else 503)


