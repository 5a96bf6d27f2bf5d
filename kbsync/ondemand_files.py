"""The site folder as `kb serve` mounts it while a fresh site's first build runs: what the build has not written
yet is rendered on demand (`kbsync/ondemand.py`), marked `X-KB-Page: on-demand` and never cached. It wraps the
API's own site mount (the core imports nothing of the API)."""
from __future__ import annotations

import os
from typing import Any

import anyio
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from .ondemand import DEFERRED_BODY, OnDemand, media_type

HEADERS = {"Cache-Control": "no-store", "X-KB-Page": "on-demand"}  # the build's page replaces it: not kept


class OnDemandFiles:
    """The site mount's files (`inner`, a StaticFiles), asking `ondemand` for a file the site folder lacks (and for
    the home page while the build's has only discovery's placeholder for a body), as long as `ondemand.active`."""

    def __init__(self, inner: Any, ondemand: OnDemand) -> None:
        self.inner, self.ondemand = inner, ondemand
        self.directory = inner.directory

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """StaticFiles' own steps, with this class's `get_response`."""
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        if not self.inner.config_checked:
            await self.inner.check_config()
            self.inner.config_checked = True
        response = await self.get_response(self.inner.get_path(scope), scope)
        await response(scope, receive, send)

    async def get_response(self, path: str, scope: Any) -> Response:
        try:
            resp = await self.inner.get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or not self.ondemand.active:
                raise
            resp = None
        if not self.ondemand.active or scope["method"] not in ("GET", "HEAD"):
            if resp is None:
                raise HTTPException(status_code=404)
            return resp
        if resp is not None and resp.status_code != 404 and not (path == "." and await self._home_deferred()):
            return resp
        url = "" if path == "." else path.replace(os.sep, "/")
        page = url + "/" if url and scope["path"].endswith("/") else url
        body = await anyio.to_thread.run_sync(self.ondemand.render, page)
        if body is None and url and not page.endswith("/"):  # `/a/b`: a page's URL without its slash
            if await anyio.to_thread.run_sync(self.ondemand.render, url + "/") is not None:
                return RedirectResponse(url=URL(scope=scope).replace(path=scope["path"] + "/"))
        if body is None and resp is None:  # the site's own "not found" page, as the build will serve it
            missing = await anyio.to_thread.run_sync(self.ondemand.render, "404.html")
            if missing is not None:
                return Response(missing, status_code=404, media_type="text/html", headers=HEADERS)
        if body is None:
            if resp is not None:
                return resp
            raise HTTPException(status_code=404)
        name = "index.html" if page == "" or page.endswith("/") else page
        return Response(body, media_type=media_type(name), headers=HEADERS)

    async def _home_deferred(self) -> bool:
        """The build's home page is written with a placeholder body until its discovery is in."""
        def read() -> bool:
            try:
                with open(os.path.join(str(self.directory), "index.html"), "rb") as f:
                    return DEFERRED_BODY.search(f.read()) is not None
            except OSError:
                return False

        return await anyio.to_thread.run_sync(read)
