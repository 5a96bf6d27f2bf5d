"""Obsidian Bases (`.base` files, ```base blocks): YAML filters, formulas, properties and views on the same engine."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cmp_to_key, partial
from html import escape
from typing import Any

import yaml

from ..visibility import PUBLIC, Viewer, can_see
from .engine import MAX_ROWS, TIME_LIMIT, Env
from .functions import Scope
from .pages import PageSet
from .parser import Expr, parse_expr
from .render import default_url, error_html, value_html
from .values import QueryError, compare, truthy

VIEW_TYPES = ("table", "cards", "list")


@dataclass
class View:
    type: str
    name: str
    order: list[str]
    filter: Expr | None = None
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    limit: int | None = None
    group_by: tuple[str, bool] | None = None


@dataclass
class Base:
    filter: Expr | None
    formulas: dict[str, Expr]
    names: dict[str, str]  # property id -> display name
    views: list[View]


def _filter(spec: Any, where: str) -> Expr | None:
    """A Bases filter: an expression string, or {and|or|not: [filters]}."""
    if spec is None:
        return None
    if isinstance(spec, str):
        return parse_expr(spec, bases=True)
    if isinstance(spec, bool):
        return lambda r, e: spec
    if isinstance(spec, Mapping) and len(spec) == 1:
        (op, items), = spec.items()
        if op in ("and", "or", "not") and isinstance(items, list):
            parts = [f for f in (_filter(i, where) for i in items) if f is not None]
            if op == "and":
                return lambda r, e: all(truthy(p(r, e)) for p in parts)
            if op == "or":
                return lambda r, e: any(truthy(p(r, e)) for p in parts)
            return lambda r, e: not any(truthy(p(r, e)) for p in parts)
    raise QueryError(f"{where}: a filter is an expression or one of and/or/not with a list, got {spec!r}")


def _prop(pid: str) -> str:
    """Property ids: `note.x`, `file.x`, `formula.x`, or a bare note property `x`."""
    pid = str(pid).strip()
    return pid if pid.split(".", 1)[0] in ("note", "file", "formula", "this") else f"note.{pid}"


def parse_base(text: str) -> Base:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise QueryError(f"base is not valid YAML{where}") from None
    if not isinstance(data, Mapping):
        raise QueryError("a base is a YAML mapping (filters, formulas, properties, views)")
    unknown = set(data) - {"filters", "formulas", "properties", "views", "summaries"}
    if unknown:
        raise QueryError(f"unknown base key(s): {', '.join(sorted(map(str, unknown)))}")
    formulas = {str(k): parse_expr(str(v), bases=True) for k, v in (data.get("formulas") or {}).items()}
    names = {_prop(k): str(v.get("displayName")) for k, v in (data.get("properties") or {}).items()
             if isinstance(v, Mapping) and v.get("displayName")}
    views = []
    for i, v in enumerate(data.get("views") or [{"type": "table"}]):
        if not isinstance(v, Mapping):
            raise QueryError(f"views[{i}] is not a mapping")
        vtype = str(v.get("type", "table"))
        if vtype not in VIEW_TYPES:
            raise QueryError(f"view type {vtype!r} is not supported (table, cards, list)")
        sort = [(_prop(s["property"]), str(s.get("direction", "ASC")).upper() == "DESC")
                for s in v.get("sort") or [] if isinstance(s, Mapping) and s.get("property")]
        group = v.get("groupBy")
        group_by = (_prop(group["property"]), str(group.get("direction", "ASC")).upper() == "DESC") \
            if isinstance(group, Mapping) and group.get("property") else None
        limit = v.get("limit")
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise QueryError(f"views[{i}].limit must be a whole number")
        views.append(View(vtype, str(v.get("name") or vtype.title()),
                          [_prop(p) for p in v.get("order") or ["file.name"]],
                          _filter(v.get("filters"), f"views[{i}].filters"), sort, limit, group_by))
    return Base(_filter(data.get("filters"), "filters"), formulas, names, views)


class _Formulas(dict):
    """`formula.x` on one row, computed on first use (formulas may use each other, not themselves)."""

    def __init__(self, base: Base, env: Env) -> None:
        super().__init__()
        self.base, self.env = base, env
        self.row: Any = None
        self.busy: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if key in self:
            return self[key]
        expr = self.base.formulas.get(key)
        if expr is None:
            return default
        if key in self.busy:
            raise QueryError(f"formula {key} refers to itself")
        self.busy.add(key)
        try:
            self[key] = expr(self.row, self.env)
        finally:
            self.busy.discard(key)
        return self[key]


def _row(page: dict[str, Any], base: Base, env: Env) -> Scope:
    formulas = _Formulas(base, env)
    row = Scope({"note": page, "formula": formulas}, page)
    formulas.row = row
    return row


def _value(row: Scope, pid: str, env: Env) -> Any:
    head, _, rest = pid.partition(".")
    obj: Any = row.get(head) if head != "this" else env.this
    from .functions import member

    for part in rest.split(".") if rest else []:
        obj = member(obj, part, env)
    return obj


@dataclass
class ViewResult:
    view: View
    rows: list[Scope]
    groups: list[tuple[Any, list[Scope]]] | None


def run_base(base: Base | str, pages: PageSet, *, viewer: Viewer | str = PUBLIC, this: str | None = None,
             now: dt.datetime | None = None, time_limit: float = TIME_LIMIT, max_rows: int = MAX_ROWS) -> list[ViewResult]:
    b = parse_base(base) if isinstance(base, str) else base
    env = Env(pages, this, now, time_limit, max_rows)
    env.rows_ok(len(pages.order))
    out = []
    for view in b.views:
        rows = []
        for i, slug in enumerate(pages.order):
            if i % 256 == 0:
                env.tick()
            if not can_see(pages.visibility[slug], viewer):
                continue
            row = _row(pages.page(slug), b, env)  # type: ignore[arg-type]
            if all(f is None or truthy(f(row, env)) for f in (b.filter, view.filter)):
                rows.append(row)
        for pid, desc in reversed(view.sort):  # stable sorts, last key first
            rows.sort(key=cmp_to_key(partial(_by_value, pid=pid, env=env)), reverse=desc)
        if view.limit is not None:
            rows = rows[:view.limit]
        for i, row in enumerate(rows):  # shown values now: formula errors surface here, within the budget
            if i % 256 == 0:
                env.tick()
            for pid in view.order:
                _value(row, pid, env)
        groups = None
        if view.group_by:
            pid, desc = view.group_by
            keyed: dict[Any, tuple[Any, list[Scope]]] = {}
            for row in rows:
                k = _value(row, pid, env)
                keyed.setdefault(repr(k), (k, []))[1].append(row)
            groups = sorted(keyed.values(), key=cmp_to_key(lambda x, y: compare(x[0], y[0])), reverse=desc)  # type: ignore[index]
        env.tick()
        out.append(ViewResult(view, rows, groups))
    return out


def _header(pid: str, names: Mapping[str, str]) -> str:
    if pid in names:
        return names[pid]
    head, _, rest = pid.partition(".")
    return rest if head == "note" else pid


def _view_html(res: ViewResult, base: Base, env: Env, url: Callable[[str], str]) -> str:
    v = res.view
    cols = v.order
    head = f'<div class="kb-query kb-base kb-base-{v.type}" data-rows="{len(res.rows)}" data-view="{escape(v.name)}">'
    title = f'<p class="kb-base-view">{escape(v.name)}</p>'
    if not res.rows:
        return head + title + '<p class="kb-query-empty">No results to show for this view.</p></div>'

    def cell(row: Scope, pid: str) -> str:
        return value_html(_value(row, "file.link" if pid == "file.name" else pid, env), url)  # names link

    groups = res.groups if res.groups is not None else [(None, res.rows)]
    parts = []
    for key, rows in groups:
        label = f'<p class="kb-base-group">{value_html(key, url)}</p>' if res.groups is not None else ""
        if v.type == "table":
            ths = "".join(f"<th>{escape(_header(p, base.names))}</th>" for p in cols)
            trs = "".join("<tr>" + "".join(f"<td>{cell(r, p)}</td>" for p in cols) + "</tr>" for r in rows)
            parts.append(f"{label}<table><thead><tr>{ths}</tr></thead><tbody>{trs}</tbody></table>")
        elif v.type == "cards":
            cards = "".join(
                f'<article class="kb-base-card"><h4>{value_html(_value(r, "file.link", env), url)}</h4><dl>'
                + "".join(f"<dt>{escape(_header(p, base.names))}</dt><dd>{cell(r, p)}</dd>" for p in cols
                          if p not in ("file.name", "file.link"))
                + "</dl></article>" for r in rows)
            parts.append(f'{label}<div class="kb-base-cards">{cards}</div>')
        else:
            items = "".join("<li>" + " · ".join(cell(r, p) for p in cols) + "</li>" for r in rows)
            parts.append(f"{label}<ul>{items}</ul>")
    return head + title + "".join(parts) + "</div>"


def render_base(text: str, pages: PageSet, *, viewer: Viewer | str = PUBLIC, this: str | None = None,
                url: Callable[[str], str] = default_url, now: dt.datetime | None = None,
                time_limit: float = TIME_LIMIT, max_rows: int = MAX_ROWS) -> str:
    """A base as HTML, one `.kb-query` element per view; any problem becomes the error element."""
    started = time.perf_counter()
    try:
        base = parse_base(text)
        results = run_base(base, pages, viewer=viewer, this=this, now=now, time_limit=time_limit, max_rows=max_rows)
        env = Env(pages, this, now, time_limit - (time.perf_counter() - started), max_rows)
        return '<div class="kb-base">' + "".join(_view_html(r, base, env, url) for r in results) + "</div>"
    except QueryError as e:
        return error_html(f"base: {e}")
    except Exception as e:  # noqa: BLE001 - a base must never break a build
        return error_html(f"base failed: {type(e).__name__}: {e}")


def _by_value(x: Any, y: Any, pid: str, env: Any) -> int:
    """Compare two rows by one property (a sort key for `cmp_to_key`)."""
    return compare(_value(x, pid, env), _value(y, pid, env))
