"""Logs to stdout as an event stream: text for people, JSON lines when KB_LOG_FORMAT=json."""
from __future__ import annotations

import json
import logging
import signal
import sys
import time
from typing import Any


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"ts": round(record.created, 3), "level": record.levelname.lower(),
                               "logger": record.name, "event": record.getMessage()}
        out.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def setup(fmt: str = "text", level: str = "INFO", stream: Any = None) -> None:
    """Logs to `stream` (stdout by default: the event stream; stderr when stdout carries a command's data)."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def event(logger: logging.Logger, msg: str, **fields: Any) -> None:
    """Log one event with structured fields (shown as key=value in text mode)."""
    text = msg + ("" if not fields else " " + " ".join(f"{k}={v}" for k, v in fields.items()))
    logger.info(text if logging.getLogger().handlers and not isinstance(
        logging.getLogger().handlers[0].formatter, JsonFormatter) else msg, extra={"fields": fields})


class Terminated(SystemExit):
    """Raised in the main thread on SIGTERM so a batch in flight rolls back and we exit 0."""


def exit_cleanly_on_sigterm() -> None:
    def handler(signum: int, frame: Any) -> None:
        raise Terminated(0)

    signal.signal(signal.SIGTERM, handler)


def monotonic_ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)
