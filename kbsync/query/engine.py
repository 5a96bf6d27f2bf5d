"""Run a parsed query over a PageSet: sources, then the data commands in order, within time and row budgets."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from functools import cmp_to_key
from typing import Any

from ..visibility import PUBLIC, Viewer, can_see
from .functions import Scope
from .pages import PageSet
from .parser import Query, parse
from .values import Link, QueryError, compare, truthy

MAX_ROWS = 100_000  # rows alive at once (FLATTEN multiplies them)
TIME_LIMIT = 5.0  # seconds per query


@dataclass
class Result:
    """What a query produced, ready to render: rows of (id, values), or task groups, or dated links."""

    kind: str
    headers: list[str] = field(default_factory=list)  # table: column headers (the id column first unless WITHOUT ID)
    rows: list[tuple[Any, list[Any]]] = field(default_factory=list)  # (id or None, values)
    grouped: bool = False
    without_id: bool = False
    tasks: list[tuple[Any, list[dict[str, Any]]]] = field(default_factory=list)  # (group key, task rows)
    dates: list[tuple[dt.datetime, Link]] = field(default_factory=list)

    @property
    def count(self) -> int:
        if self.kind == "task":
            return sum(len(ts) for _, ts in self.tasks)
        if self.kind == "calendar":
            return len(self.dates)
        return len(self.rows)


class Env:
    """What expressions reach besides their row: now, `this`, link resolution, the budget."""

    def __init__(self, pages: PageSet, this: str | None, now: dt.datetime | None, time_limit: float,
                 max_rows: int) -> None:
        self.pages = pages
        self.now = now or dt.datetime.now()
        self.this_slug = this
        self.this = pages.page(this) if this else None
        self.source_path = pages.records[this]["path"] if this in pages.records else ""
        self.deadline = time.perf_counter() + time_limit
        self.time_limit = time_limit
        self.max_rows = max_rows

    def link(self, target: str, embed: bool = False) -> Link:
        if not target.split("#")[0].strip() and self.this_slug in self.pages.links:  # [[]] / [[#]]: this page
            return self.pages.links[self.this_slug]
        link = self.pages.resolve(target, self.source_path)
        display = target.split("|", 1)[1] if "|" in target else None
        return Link(link.path, link.slug, display, embed) if display or embed else link

    def page_of(self, link: Link) -> dict[str, Any] | None:
        return self.pages.page(link.slug) if link.slug else None

    def tick(self) -> None:
        if time.perf_counter() > self.deadline:
            raise QueryError(f"query stopped: it ran longer than the {self.time_limit:g} s budget")

    def rows_ok(self, n: int) -> None:
        if n > self.max_rows:
            raise QueryError(f"query stopped: more than {self.max_rows} rows (the row budget)")


def _source(env: Env, src: Any) -> set[str]:
    pages = env.pages
    kind = src[0]
    if kind == "or":
        return _source(env, src[1]) | _source(env, src[2])
    if kind == "and":
        return _source(env, src[1]) & _source(env, src[2])
    if kind == "not":
        return set(pages.records) - _source(env, src[1])
    if kind == "tag":
        tag = "#" + src[1].lower()
        return set(pages.by_tag.get(tag, ()))
    if kind == "folder":
        folder = src[1].strip("/")
        if not folder:
            return set(pages.records)
        prefix = folder + "/"
        return {s for s, r in pages.records.items()
                if r["path"].startswith(prefix) or r["path"] in (folder, folder + ".md")}
    target = env.link(src[1])
    if target.slug is None:
        return set()
    if kind == "link":
        return set(pages.inlinks.get(target.slug, []))
    return {link.slug for link in pages.outlinks.get(target.slug, []) if link.slug}  # outgoing


def _id(row: Any) -> Any:
    """The row's identity column: its page link, or its group key."""
    if isinstance(row, Scope) and "_group" in row:
        return row.get("key")
    file = row.get("file")
    return file.get("link") if isinstance(file, dict) else None


def _group(env: Env, rows: list[Any], expr: Any, name: str) -> list[Any]:
    groups: list[tuple[Any, list[Any]]] = []
    index: dict[Any, int] = {}
    for i, row in enumerate(rows):
        if i % 256 == 0:
            env.tick()
        key = expr(row, env)
        h = _hashable(key)
        if h not in index:
            index[h] = len(groups)
            groups.append((key, []))
        groups[index[h]][1].append(row)
    groups.sort(key=cmp_to_key(lambda a, b: compare(a[0], b[0])))  # type: ignore[index]  # Dataview orders groups by key
    out = []
    for key, members in groups:
        own = {"_group": True, "key": key, "rows": members}
        if name != "key":
            own[name] = key
        out.append(Scope(own, None))
    return out


def _hashable(v: Any) -> Any:
    if isinstance(v, list):
        return ("list", tuple(_hashable(x) for x in v))
    if isinstance(v, dict):
        return ("dict", tuple(sorted((k, _hashable(x)) for k, x in v.items())))
    if isinstance(v, str):
        return ("str", v)
    if isinstance(v, Link):
        return ("link", v.slug or v.path.lower())
    return v


def _flatten(env: Env, rows: list[Any], expr: Any, name: str) -> list[Any]:
    out = []
    for i, row in enumerate(rows):
        if i % 256 == 0:
            env.tick()
        value = expr(row, env)
        for v in (value if isinstance(value, list) and value else [value]):
            out.append(Scope({name: v}, row))
        env.rows_ok(len(out))
    return out


def run(query: Query | str, pages: PageSet, *, viewer: Viewer | str = PUBLIC, this: str | None = None,
        now: dt.datetime | None = None, time_limit: float = TIME_LIMIT, max_rows: int = MAX_ROWS) -> Result:
    """Evaluate a query; `viewer` filters again (fail closed) even if `pages` was built for a wider viewer."""
    q = parse(query) if isinstance(query, str) else query
    env = Env(pages, this, now, time_limit, max_rows)
    slugs = _source(env, q.source) if q.source is not None else set(pages.records)
    if len(slugs) * 8 < len(pages.order):  # a narrow source: sort it rather than scan every entry
        pos = pages.position
        chosen = sorted((s for s in slugs if s in pos and can_see(pages.visibility[s], viewer)), key=pos.__getitem__)
    else:
        chosen = [s for s in pages.order if s in slugs and can_see(pages.visibility[s], viewer)]
    if q.kind != "task" and q.commands and q.commands[0][0] == "limit":
        chosen = chosen[:q.commands[0][1]]  # LIMIT first: build only the pages it keeps
    selected = [pages.page(s) for s in chosen]
    rows: list[Any]
    if q.kind == "task":
        rows = [Scope(t, p) for p in selected if p is not None for t in p["file"]["tasks"]]
    else:
        rows = selected
    env.rows_ok(len(rows))
    grouped = False
    for cmd in q.commands:
        env.tick()
        op = cmd[0]
        if op == "where":
            expr = cmd[1]
            kept = []
            for i, row in enumerate(rows):
                if i % 256 == 0:
                    env.tick()
                if truthy(expr(row, env)):
                    kept.append(row)
            rows = kept
        elif op == "sort":
            keys = cmd[1]
            decorated = [([k(row, env) for k, _ in keys], row) for row in rows]
            env.tick()

            def cmp(a: Any, b: Any, keys: Any = keys) -> int:
                for (va, vb, (_, desc)) in zip(a[0], b[0], keys, strict=True):
                    c = compare(va, vb)
                    if c:
                        return -c if desc else c
                return 0
            rows = [row for _, row in sorted(decorated, key=cmp_to_key(cmp))]
        elif op == "limit":
            rows = rows[:cmd[1]]
        elif op == "group":
            rows, grouped = _group(env, rows, cmd[1], cmd[2]), True
        elif op == "flatten":
            rows = _flatten(env, rows, cmd[1], cmd[2])
    return _shape(q, env, rows, grouped)


def _shape(q: Query, env: Env, rows: list[Any], grouped: bool) -> Result:
    res = Result(q.kind, grouped=grouped, without_id=q.without_id)
    if q.kind == "task":
        if grouped:
            res.tasks = [(g.get("key"), list(g.get("rows"))) for g in rows]
        else:  # Dataview shows tasks under the file they come from, files in result order
            by_file: dict[str, tuple[Any, list[Any]]] = {}
            for t in rows:
                link = t.get("link")
                by_file.setdefault(link.slug or link.path, (link, []))[1].append(t)
            res.tasks = list(by_file.values())
        return res
    if q.kind == "calendar":
        expr = q.columns[0][1]
        for i, row in enumerate(rows):
            if i % 256 == 0:
                env.tick()
            value = expr(row, env)
            if isinstance(value, dt.datetime):
                res.dates.append((value, _id(row)))
        return res
    exprs = [e for _, e in q.columns]
    if q.kind == "table":
        id_header = "File"
        if grouped:
            id_header = next((c[2] if c[2] != "key" else getattr(c[1], "src", "key")
                              for c in reversed(q.commands) if c[0] == "group"), "key")
        res.headers = ([] if q.without_id else [id_header]) + [h for h, _ in q.columns]
    for i, row in enumerate(rows):
        if i % 256 == 0:
            env.tick()
        values = [e(row, env) for e in exprs]
        if q.kind == "list" and grouped and not exprs:
            values = [[_id(r) for r in row.get("rows")]]
        res.rows.append((_id(row), values))
    return res
