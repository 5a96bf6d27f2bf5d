"""The app factory: settings and store injected, read model refreshed in the background, site mounted last."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from api.metrics import Metrics, TimingMiddleware
from api.routes import ROUTERS
from api.sitefiles import SiteFiles
from kbsync.settings import Settings
from kbsync.view.refresher import ModelHolder

log = logging.getLogger("kb.api")


def open_store(settings: Settings) -> Any:
    """The core library's store for the settings' URL (imported late: only needed when no store is given)."""
    from kbsync.store import open_store as _open

    return _open(settings.resolved_store_url(), mongodb_db=settings.mongodb_db)


def create_app(settings: Settings | None = None, store: Any | None = None) -> FastAPI:
    """A read-only API over `store` (opened from `settings.store_url` at startup when not given)."""
    settings = settings or Settings()
    holder = ModelHolder(store, interval=settings.refresh_interval)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder: ModelHolder = app.state.holder  # tests may swap the holder before startup
        owned = holder.store is None
        if owned:
            holder.store = open_store(settings)
        holder.start()
        try:
            yield
        finally:
            holder.stop()
            if owned:
                holder.store.close()

    app = FastAPI(title="kb API", version="0.1.0", lifespan=lifespan,
                  description="Read-only search, typeahead, entries, tags and link graph of a kb knowledge base.")
    app.state.settings = settings
    app.state.holder = holder
    app.state.metrics = Metrics(holder)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "HEAD", "OPTIONS"],
                       allow_headers=["Authorization"], max_age=600)
    app.add_middleware(TimingMiddleware, metrics=app.state.metrics)
    app.openapi = lambda: _optional_auth(app)  # type: ignore[method-assign]
    site = settings.site_dir
    if site is not None and site.is_dir():
        app.mount("/", SiteFiles(directory=site, html=True), name="site")
    return app


def _optional_auth(app: FastAPI) -> dict[str, Any]:
    """The bearer token is optional (anonymous callers see public entries): say so in the OpenAPI document."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for item in schema.get("paths", {}).values():
            for op in item.values():
                if isinstance(op, dict) and op.get("security"):
                    op["security"] = [{}, *op["security"]]
        app.openapi_schema = schema
    return app.openapi_schema
