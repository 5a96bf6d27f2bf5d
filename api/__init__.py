"""kb's read-only HTTP API: `api.app.create_app`, `api.server.serve`, `api.readmodel.ReadModel`."""
