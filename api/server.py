"""Run the API (and the built site, when `KB_SITE_DIR` exists) with uvicorn: what `kb serve` calls."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from kbsync.settings import Settings


def serve(settings: Settings | None = None, store: Any | None = None,
          on_app: Callable[[FastAPI], None] | None = None) -> None:
    """Serve until interrupted; SIGTERM/SIGINT stop the refresher thread and close the store cleanly.

    `settings` is the one `kbsync.settings.Settings` (from the environment when None). `on_app` sees
    the app before it serves: `kb serve` keeps `app.state.holder` to `poke()` it after each sync.
    """
    settings = settings or Settings()
    app = create_app(settings, store)
    if on_app is not None:
        on_app(app)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                access_log=False, proxy_headers=True)
