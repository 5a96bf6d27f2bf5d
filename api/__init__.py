"""kb's read-only HTTP API over the core's read model: `api.app.create_app`, `api.server.serve`."""
