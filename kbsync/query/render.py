"""Query results as HTML: `<div class="kb-query" data-rows="N">` (table, list, tasks, calendar) or an error element."""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any

from ..visibility import PUBLIC, Viewer
from .engine import Result, run
from .functions import fmt_date, fmt_number
from .pages import PageSet
from .values import Duration, Link, QueryError

UrlFor = Callable[[str], str]


def default_url(slug: str) -> str:
    return f"/{slug}/"


def value_html(v: Any, url: UrlFor) -> str:
    """One value as Dataview shows it; every piece of text is escaped."""
    if v is None:
        return '<span class="kb-query-null">-</span>'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return escape(fmt_number(v))
    if isinstance(v, dt.datetime):
        return f'<time datetime="{v.isoformat()}">{escape(fmt_date(v))}</time>'
    if isinstance(v, Duration):
        return escape(str(v))
    if isinstance(v, Link):
        if v.slug is None:
            return f'<span class="kb-query-unresolved">{escape(v.name)}</span>'
        return f'<a class="kb-query-link" href="{escape(url(v.slug))}">{escape(v.name)}</a>'
    if isinstance(v, list):
        if len(v) == 1:
            return value_html(v[0], url)
        return "<ul>" + "".join(f"<li>{value_html(x, url)}</li>" for x in v) + "</ul>" if v else ""
    if isinstance(v, dict):
        return "<ul>" + "".join(f"<li>{escape(str(k))}: {value_html(x, url)}</li>" for k, x in v.items()) + "</ul>"
    if callable(v):
        return "&lt;function&gt;"
    return escape(str(v))


def error_html(message: str) -> str:
    return f'<div class="kb-query-error" role="alert"><strong>Query error:</strong> {escape(message)}</div>'


def result_html(res: Result, url: UrlFor = default_url) -> str:
    """A Result as the `.kb-query` element."""
    n = res.count
    head = f'<div class="kb-query kb-query-{res.kind}" data-rows="{n}">'
    if n == 0:
        return head + f'<p class="kb-query-empty">No results to show for {res.kind} query.</p></div>'
    if res.kind == "table":
        with_id = not res.without_id
        ths = "".join(f"<th>{escape(h)}</th>" for h in res.headers)
        if with_id:
            ths = f'<th>{escape(res.headers[0])} <span class="kb-query-count">({n})</span></th>' + \
                "".join(f"<th>{escape(h)}</th>" for h in res.headers[1:])
        body = "".join("<tr>" + (f"<td>{value_html(rid, url)}</td>" if with_id else "")
                       + "".join(f"<td>{value_html(v, url)}</td>" for v in vals) + "</tr>" for rid, vals in res.rows)
        return head + f"<table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table></div>"
    if res.kind == "list":
        items = []
        for rid, vals in res.rows:
            if res.grouped and vals and isinstance(vals[0], list):
                items.append(f"<li>{value_html(rid, url)}<ul>"
                             + "".join(f"<li>{value_html(x, url)}</li>" for x in vals[0]) + "</ul></li>")
            elif vals and rid is not None and not res.without_id:
                items.append(f"<li>{value_html(rid, url)}: {value_html(vals[0], url)}</li>")
            elif vals:
                items.append(f"<li>{value_html(vals[0], url)}</li>")
            else:
                items.append(f"<li>{value_html(rid, url)}</li>")
        return head + '<ul class="kb-query-list">' + "".join(items) + "</ul></div>"
    if res.kind == "task":
        parts = []
        for key, tasks in res.tasks:
            shown = {(t.get("path"), t.get("line")) for t in tasks}
            # A subtask whose parent is in the result shows under it (with all the parent's subtasks), as in Dataview.
            lis = "".join(_task_html(t, url) for t in tasks if (t.get("path"), t.get("parent")) not in shown)
            parts.append(f'<h4 class="kb-query-group">{value_html(key, url)}</h4><ul class="kb-query-tasks">{lis}</ul>')
        return head + "".join(parts) + "</div>"
    return head + _calendar_html(res.dates, url) + "</div>"


def _task_html(t: Mapping[str, Any], url: UrlFor) -> str:
    status = str(t.get("status", " "))
    checked = " checked" if t.get("checked") else ""
    children = t.get("children") or []
    sub = '<ul class="kb-query-tasks">' + "".join(_task_html(c, url) for c in children) + "</ul>" if children else ""
    return (f'<li class="task-list-item" data-task="{escape(status, quote=True)}">'
            f'<input type="checkbox" disabled{checked}> {escape(str(t.get("text", "")))}{sub}</li>')


def _calendar_html(dates: Iterable[tuple[dt.datetime, Any]], url: UrlFor) -> str:
    """One month grid per month that has dates (Monday first), each day listing its entries."""
    by_day: dict[dt.date, list[Any]] = {}
    for d, link in sorted(dates, key=lambda x: x[0]):
        by_day.setdefault(d.date(), []).append(link)
    months = sorted({(d.year, d.month) for d in by_day})
    out = []
    for year, month in months:
        weeks = calendar.Calendar().monthdatescalendar(year, month)
        rows = []
        for week in weeks:
            cells = []
            for day in week:
                if day.month != month:
                    cells.append('<td class="kb-query-other"></td>')
                    continue
                links = by_day.get(day, [])
                inner = "".join(f"<li>{value_html(x, url)}</li>" for x in links)
                cells.append(f'<td><span class="kb-query-day">{day.day}</span>'
                             + (f"<ul>{inner}</ul>" if inner else "") + "</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        heads = "".join(f"<th>{d}</th>" for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
        out.append(f'<table class="kb-query-calendar"><caption>{calendar.month_name[month]} {year}</caption>'
                   f"<thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return "".join(out)


def render_html(query_text: str, pages: PageSet | Iterable[Mapping[str, Any]], *, viewer: Viewer | str = PUBLIC,
                this: str | None = None, url: UrlFor = default_url, now: dt.datetime | None = None,
                time_limit: float | None = None, max_rows: int | None = None) -> str:
    """Run one query and render it; any problem becomes a visible `.kb-query-error`, never an exception."""
    pageset = pages if isinstance(pages, PageSet) else PageSet(pages, viewer)
    kwargs: dict[str, Any] = {}
    if time_limit is not None:
        kwargs["time_limit"] = time_limit
    if max_rows is not None:
        kwargs["max_rows"] = max_rows
    try:
        res = run(query_text, pageset, viewer=viewer, this=this, now=now, **kwargs)
    except QueryError as e:
        return error_html(str(e))
    except RecursionError:
        return error_html("query is nested too deeply")
    except Exception as e:  # noqa: BLE001 - a query must never break a build; say what went wrong instead
        return error_html(f"query failed: {type(e).__name__}: {e}")
    return result_html(res, url)
