"""Run the API (and the built site, when `KB_SITE_DIR` exists) with uvicorn: what `kb serve` calls."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import uvicorn

from kbsync.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


class _Server(uvicorn.Server):
    """uvicorn's server, telling `on_started` once its socket listens (lifespan startup runs before the bind)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_started is not None:
            self.on_started()


def serve(settings: Settings | None = None, store: Any | None = None,
          on_app: Callable[[FastAPI], None] | None = None, on_started: Callable[[], None] | None = None) -> None:
    """Serve until interrupted; SIGTERM/SIGINT stop the refresher thread and close the store cleanly.

    `settings` is the one `kbsync.settings.Settings` (from the environment when None). `on_app` sees
    the app before it serves: `kb serve` keeps `app.state.holder` to `poke()` it after each sync.
    `on_started` runs once the port listens: `kb serve` starts its sync, watcher and site build then.
    """
    from api.app import create_app

    settings = settings or Settings()
    app = create_app(settings, store)
    if on_app is not None:
        on_app(app)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                            access_log=False, proxy_headers=True)
    server = _Server(config, on_started)
    try:
        server.run()
    except KeyboardInterrupt:  # as uvicorn.run: Ctrl-C is a normal stop
        pass
    if not server.started:
        raise SystemExit(3)  # uvicorn.run's STARTUP_FAILURE: the port could not be bound
