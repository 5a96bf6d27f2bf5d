"""Route groups, one module each; `ROUTERS` is the order `create_app` includes them in."""
from __future__ import annotations

from api.routes import discovery, entries, graph, health, metrics, query, search, suggest, tags

ROUTERS = [health.router, suggest.router, search.router, entries.router, tags.router, graph.router, query.router, metrics.router]
ROUTERS.append(discovery.router)  # discovery (issue 13)
