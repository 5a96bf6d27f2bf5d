"""Dependencies, injected with `Depends` through `Annotated` aliases; tests override the getters."""
from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kbsync.settings import Settings
from kbsync.view.refresher import ModelHolder
from kbsync.visibility import PUBLIC, TOKEN, Viewer

if TYPE_CHECKING:  # imported by the read model's own thread at run time: the server answers before it loads
    from kbsync.view.readmodel import ReadModel

_bearer = HTTPBearer(auto_error=False, description="KB_API_TOKEN: shows private entries too")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_holder(request: Request) -> ModelHolder:
    return request.app.state.holder  # type: ignore[no-any-return]


HolderDep = Annotated[ModelHolder, Depends(get_holder)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_model(holder: HolderDep) -> Any:
    """The live read model; 503 until the first one is built."""
    if holder.model is None:
        raise HTTPException(503, "the read model is still loading", headers={"Retry-After": "1"})
    return holder.model


async def get_store(holder: HolderDep) -> Any:
    return holder.store


async def get_viewer(request: Request, settings: SettingsDep,
                     creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Viewer:
    """`token` only for `Authorization: Bearer $KB_API_TOKEN`; any other Authorization is a 401, none is public."""
    if creds is None and "authorization" not in request.headers:
        return PUBLIC
    token = settings.api_token
    given = creds.credentials if creds is not None else ""
    if not token or not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(401, "invalid API token", headers={"WWW-Authenticate": "Bearer"})
    return TOKEN


if TYPE_CHECKING:
    ModelDep = Annotated[ReadModel, Depends(get_model)]
else:  # FastAPI reads the alias at import time; the type only matters to mypy
    ModelDep = Annotated[Any, Depends(get_model)]
StoreDep = Annotated[Any, Depends(get_store)]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
