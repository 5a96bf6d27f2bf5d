"""Run the API (and the built site, when `KB_SITE_DIR` exists) with uvicorn: what `kb serve` calls."""
from __future__ import annotations

from typing import Any

import uvicorn

from api.app import create_app
from api.settings import ApiSettings, api_settings


def serve(settings: ApiSettings | Any | None = None, store: Any | None = None) -> None:
    """Serve until interrupted; SIGTERM/SIGINT stop the refresher thread and close the store cleanly.

    `settings` may be ApiSettings or the CLI's `kbsync.settings.Settings` (same `KB_*` names).
    """
    settings = api_settings(settings)
    app = create_app(settings, store)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                access_log=False, proxy_headers=True)
