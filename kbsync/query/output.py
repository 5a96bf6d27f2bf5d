"""Query results as JSON and as plain text (for `kb query` and, later, the API)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .engine import Result
from .functions import fmt_date, fmt_number
from .values import Duration, Link


def json_value(v: Any) -> Any:
    """Dates as ISO text, durations as Dataview prints them, links as {path, slug, display}."""
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, Duration):
        return str(v)
    if isinstance(v, Link):
        return {"link": v.path, "slug": v.slug, "display": v.name}
    if isinstance(v, list):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if callable(v):
        return None
    return v


def result_json(res: Result) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": res.kind, "count": res.count}
    if res.kind == "task":
        out["groups"] = [{"key": json_value(k), "tasks": [
            {"text": t.get("text"), "status": t.get("status"), "completed": t.get("completed"),
             "line": t.get("line"), "path": t.get("path")} for t in ts]} for k, ts in res.tasks]
    elif res.kind == "calendar":
        out["dates"] = [{"date": d.isoformat(), "link": json_value(link)} for d, link in res.dates]
    else:
        out["headers"] = res.headers
        out["rows"] = [json_value(vals) if res.without_id else [json_value(rid), *json_value(vals)]
                       for rid, vals in res.rows]
    return out


def text_value(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return fmt_number(v)
    if isinstance(v, dt.datetime):
        return fmt_date(v)
    if isinstance(v, Link):
        return v.name
    if isinstance(v, list):
        return ", ".join(text_value(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}: {text_value(x)}" for k, x in v.items())
    return str(v)


def result_rows(res: Result) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of plain text, whatever the query type."""
    if res.kind == "task":
        return ["file", "status", "task"], [[text_value(k), f"[{t.get('status')}]", str(t.get("text"))]
                                            for k, ts in res.tasks for t in ts]
    if res.kind == "calendar":
        return ["date", "file"], [[d.date().isoformat(), text_value(link)] for d, link in res.dates]
    if res.kind == "list":
        rows = [[text_value(vals[0] if vals else rid)] if res.without_id or not vals
                else [text_value(rid), text_value(vals[0])] for rid, vals in res.rows]
        width = max((len(r) for r in rows), default=1)
        return (["file", "value"] if width == 2 else ["value"]), rows
    return res.headers, [[text_value(v) for v in ([] if res.without_id else [rid]) + vals] for rid, vals in res.rows]
