"""Prometheus metrics per app (own registry): requests, latencies, index size, revision, store health."""
from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from kbsync.view.refresher import ModelHolder

BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """The app's collectors; `middleware` wraps the ASGI app to time every HTTP request."""

    def __init__(self, holder: ModelHolder) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("kb_api_requests", "HTTP requests", ["route", "method", "status"], registry=r)
        self.latency = Histogram("kb_api_request_seconds", "HTTP request latency", ["route"], buckets=BUCKETS,
                                 registry=r)

        def model_attr(fn: Any) -> Any:
            return lambda: fn(holder.model) if holder.model is not None else 0

        Gauge("kb_index_entries", "entries in the read model (drafts excluded)", registry=r).set_function(
            model_attr(lambda m: len(m.by_slug)))
        Gauge("kb_index_search_docs", "documents in the full-text index", registry=r).set_function(
            model_attr(lambda m: m.fulltext.num_docs()))
        Gauge("kb_index_edges", "links in the read model's graph", registry=r).set_function(
            model_attr(lambda m: m.edge_count))
        Gauge("kb_index_revision", "store revision the read model was built from", registry=r).set_function(
            model_attr(lambda m: m.revision))
        Gauge("kb_index_build_seconds", "time the last read model took to build", registry=r).set_function(
            model_attr(lambda m: m.build_seconds))
        Gauge("kb_index_rebuilds", "read models built since start", registry=r).set_function(lambda: holder.rebuilds)
        Gauge("kb_store_up", "1 when the last revision poll reached the store", registry=r).set_function(
            lambda: 1 if holder.store_ok else 0)


class TimingMiddleware:
    """Pure ASGI middleware: count and time every HTTP request by its route template."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [500]

        async def send_status(msg: dict[str, Any]) -> None:
            if msg["type"] == "http.response.start":
                status[0] = msg["status"]
            await send(msg)

        t0 = time.perf_counter()
        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or ("static" if status[0] < 400 else "unmatched")
            self.metrics.latency.labels(route).observe(time.perf_counter() - t0)
            self.metrics.requests.labels(route, scope.get("method", ""), str(status[0])).inc()
