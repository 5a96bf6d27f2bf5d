"""The built site beside the API, each file read whole from one open descriptor."""
from __future__ import annotations

import os
from typing import Any

from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

WHOLE = 8 << 20  # pages, JSON and assets are read whole; bigger attachments stream (a build never rewrites them)


class SiteFiles(StaticFiles):
    """A page the site build replaces (temp file + rename) while it is requested is served whole, old or new: never
    the new bytes under the old file's Content-Length, which the client sees as a broken response."""

    def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Any,
                      status_code: int = 200) -> Response:
        if stat_result.st_size > WHOLE:
            return super().file_response(full_path, stat_result, scope, status_code)
        try:
            with open(full_path, "rb") as f:
                st, data = os.fstat(f.fileno()), f.read(WHOLE + 1)
        except OSError:  # gone between the lookup and the open: as if never there
            return Response("Not Found", status_code=404, media_type="text/plain")
        resp = super().file_response(full_path, st, scope, status_code)  # headers and 304s from the file read
        if not isinstance(resp, FileResponse) or len(data) > WHOLE:
            return resp
        headers = {k: v for k, v in resp.headers.items() if k.lower() != "content-length"}
        return Response(data, status_code=resp.status_code, headers=headers, media_type=resp.media_type)
