"""Parse DQL text into a Query whose expressions are compiled to Python closures `fn(row, env)`."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from . import functions as fns
from .grammar import GRAMMAR
from .values import (
    Duration,
    QueryError,
    add_duration,
    between,
    compare,
    equal,
    parse_date,
    parse_duration,
    truthy,
)

Expr = Callable[[Any, Any], Any]  # (row, env) -> value


@dataclass
class Query:
    """A parsed query: what to show (kind, columns), where from (source), and the data commands in order."""

    kind: str  # list | table | task | calendar
    text: str
    without_id: bool = False
    columns: list[tuple[str, Expr]] = field(default_factory=list)  # (header, expr); list: one, unnamed
    source: Any = None  # ("tag", t) | ("folder", f) | ("link", l) | ("outgoing", l) | ("and"|"or", a, b) | ("not", a)
    commands: list[tuple[Any, ...]] = field(default_factory=list)


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=True, start=["start", "expr_only"])


def parse_expr(text: str, bases: bool = False) -> Expr:
    """A lone expression (a Bases filter or formula) → closure; raises QueryError."""
    try:
        tree = _lark().parse(text, start="expr_only")
        return (_BasesBuild if bases else _Build)(text).transform(tree)
    except VisitError as e:
        raise QueryError(str(e.orig_exc)) from None
    except UnexpectedInput as e:
        tok = getattr(e, "token", None)
        if tok is not None and tok.type == "$END":
            raise QueryError(f"expression ends too early: {text!r}") from None
        raise QueryError(f"cannot read expression {text!r} (column {getattr(e, 'column', '?')})") from None


UNSUPPORTED = [  # constructs Dataview has that kb does not run, with what to say
    (re.compile(r"\bFROM\s+csv\s*\(", re.I), "FROM csv(...) is not supported"),
    (re.compile(r"\bincoming\s*\(", re.I), "incoming(...) sources are not supported; use FROM [[link]]"),
]


def parse(text: str) -> Query:
    """DQL text → Query; raises QueryError naming the line and column of the problem."""
    for pattern, message in UNSUPPORTED:
        if pattern.search(text):
            raise QueryError(message)
    if not text.strip():
        raise QueryError("empty query: expected LIST, TABLE, TASK or CALENDAR")
    try:
        tree = _lark().parse(text, start="start")
        return _Build(text).transform(tree)
    except VisitError as e:
        raise QueryError(str(e.orig_exc)) from None
    except UnexpectedEOF:
        raise QueryError("query ends too early (an expression or a keyword is missing)") from None
    except UnexpectedCharacters as e:
        where = "end" if e.pos_in_stream is None else repr(text[e.pos_in_stream])
        raise QueryError(f"unexpected {where} at line {e.line}, column {e.column}") from None
    except UnexpectedInput as e:
        tok = getattr(e, "token", None)
        if tok is None or tok.type == "$END":
            raise QueryError("query ends too early (an expression or a keyword is missing)") from None
        what = repr(str(tok))
        first = text.strip().split(None, 1)[0].upper()
        if first not in ("LIST", "TABLE", "TASK", "CALENDAR"):
            raise QueryError(f"unknown query type {first!r}: expected LIST, TABLE, TASK or CALENDAR") from None
        raise QueryError(f"unexpected {what} at line {e.line}, column {e.column}") from None
    except LarkError as e:  # pragma: no cover - lark's other errors carry their own text
        raise QueryError(str(e)) from None


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s[1:-1])


def _link_text(tok: str) -> tuple[str, bool]:
    embed = tok.startswith("!")
    return tok.lstrip("!")[2:-2], embed


def date_literal(word: str, now: dt.datetime) -> dt.datetime:
    """today, now, tomorrow, sow/eow (week, Monday start), som/eom, soy/eoy, or an ISO date."""
    w = word.strip().lower()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day = dt.timedelta(days=1)
    simple = {"now": now, "today": today, "tomorrow": today + day, "yesterday": today - day,
              "sow": today - today.weekday() * day, "eow": today + (6 - today.weekday()) * day,
              "som": today.replace(day=1), "soy": today.replace(month=1, day=1), "eoy": today.replace(month=12, day=31)}
    if w in simple:
        return simple[w]
    if w == "eom":
        return add_duration(today.replace(day=1), Duration(1)) - day
    d = parse_date(word)
    if d is None:
        raise QueryError(f"date({word}) is not a date")
    return d


def arith(op: str, a: Any, b: Any) -> Any:
    """Dataview's binary arithmetic over numbers, strings, dates and durations; null on a type mismatch."""
    num = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if op == "+":
        if isinstance(a, str) or isinstance(b, str):
            return fns.to_string(a) + fns.to_string(b)
        if isinstance(a, num) and isinstance(b, num):
            return a + b
        if isinstance(a, dt.datetime) and isinstance(b, Duration):
            return add_duration(a, b)
        if isinstance(a, Duration) and isinstance(b, dt.datetime):
            return add_duration(b, a)
        if isinstance(a, Duration) and isinstance(b, Duration):
            return a + b
        if isinstance(a, list) and isinstance(b, list):
            return a + b
        if isinstance(a, dict) and isinstance(b, dict):
            return {**a, **b}
        return None
    if op == "-":
        if isinstance(a, num) and isinstance(b, num):
            return a - b
        if isinstance(a, dt.datetime) and isinstance(b, Duration):
            return add_duration(a, -b)
        if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
            return between(a, b)
        if isinstance(a, Duration) and isinstance(b, Duration):
            return a + (-b)
        return None
    if op == "*":
        if isinstance(a, num) and isinstance(b, num):
            return a * b
        if isinstance(a, str) and isinstance(b, int):
            return a * b
        if isinstance(a, Duration) and isinstance(b, num):
            return a.scale(b)
        if isinstance(a, num) and isinstance(b, Duration):
            return b.scale(a)
        return None
    if isinstance(a, num) and isinstance(b, num):
        if b == 0:
            return None
        return a / b if op == "/" else a % b
    if op == "/" and isinstance(a, Duration) and isinstance(b, num) and b:
        return a.scale(1 / b)
    return None


_CMP = {"=": lambda c: c == 0, "==": lambda c: c == 0, "!=": lambda c: c != 0, "<": lambda c: c < 0, ">": lambda c: c > 0,
        "<=": lambda c: c <= 0, ">=": lambda c: c >= 0}


@v_args(inline=True)
class _Build(Transformer):
    """Tree → Query; expression nodes become closures."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    # -- query ---------------------------------------------------------------------------------------
    def start(self, header: Query, *rest: Any) -> Query:
        q = header
        q.text = self.text
        for item in rest:
            if isinstance(item, tuple) and item and item[0] == "from":
                q.source = item[1]
            elif item is not None:
                q.commands.append(item)
        return q

    def without_id(self, *_: Any) -> bool:
        return True

    def list_header(self, _kw: Token, without: Any, expr: Expr | None) -> Query:
        return Query("list", "", bool(without), [("", expr)] if expr else [])

    def table_header(self, _kw: Token, without: Any, *cols: Any) -> Query:
        return Query("table", "", bool(without), [c for c in cols if c is not None])

    def table_col(self, expr: Expr, _as: Any = None, name: Token | None = None) -> tuple[str, Expr]:
        if name is None:
            header = getattr(expr, "src", "?")  # Dataview heads an unnamed column with its expression
        else:
            header = _unquote(name) if name.type == "STRING" else str(name)
        return header, expr

    def task_header(self, _kw: Token) -> Query:
        return Query("task", "")

    def calendar_header(self, _kw: Token, expr: Expr) -> Query:
        return Query("calendar", "", False, [("", expr)])

    # -- sources -------------------------------------------------------------------------------------
    def from_clause(self, _kw: Token, source: Any) -> tuple[str, Any]:
        return ("from", source)

    def src_or(self, a: Any, _op: Token, b: Any) -> Any:
        return ("or", a, b)

    def src_and(self, a: Any, _op: Token, b: Any) -> Any:
        return ("and", a, b)

    def src_neg(self, a: Any) -> Any:
        return ("not", a)

    def src_tag(self, tok: Token) -> Any:
        return ("tag", str(tok)[1:])

    def src_folder(self, tok: Token) -> Any:
        return ("folder", _unquote(tok))

    def src_link(self, tok: Token) -> Any:
        return ("link", _link_text(tok)[0])

    def src_outgoing(self, _kw: Token, tok: Token) -> Any:
        return ("outgoing", _link_text(tok)[0])

    # -- commands ------------------------------------------------------------------------------------
    def where(self, _kw: Token, expr: Expr) -> tuple[Any, ...]:
        return ("where", expr)

    def sort(self, _kw: Token, *keys: tuple[Expr, bool]) -> tuple[Any, ...]:
        return ("sort", list(keys))

    def sort_key(self, expr: Expr, direction: Token | None = None) -> tuple[Expr, bool]:
        return expr, bool(direction) and str(direction).lower().startswith("desc")

    def limit(self, _kw: Token, expr: Expr) -> tuple[Any, ...]:
        value = expr(None, None)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise QueryError(f"LIMIT needs a whole number, got {fns.to_string(value)!r}")
        return ("limit", value)

    def group(self, _g: Token, _b: Token, expr: Expr, _as: Any = None, name: Token | None = None) -> tuple[Any, ...]:
        return ("group", expr, str(name) if name else "key")

    def flatten(self, _kw: Token, expr: Expr, _as: Any = None, name: Token | None = None) -> tuple[Any, ...]:
        return ("flatten", expr, str(name) if name else getattr(expr, "src", "value"))

    # -- expressions ---------------------------------------------------------------------------------
    @staticmethod
    def _tag(fn: Expr, src: str) -> Expr:
        fn.src = src  # type: ignore[attr-defined]  # the column header Dataview shows for an unnamed column
        return fn

    def number(self, tok: Token) -> Expr:
        v = float(tok) if "." in tok else int(tok)
        return self._tag(lambda r, e: v, str(tok))

    def string(self, tok: Token) -> Expr:
        v = _unquote(tok)
        return self._tag(lambda r, e: v, str(tok))

    def true(self, _t: Token) -> Expr:
        return self._tag(lambda r, e: True, "true")

    def false(self, _t: Token) -> Expr:
        return self._tag(lambda r, e: False, "false")

    def null(self, _t: Token) -> Expr:
        return self._tag(lambda r, e: None, "null")

    def link(self, tok: Token) -> Expr:
        target, embed = _link_text(tok)
        return self._tag(lambda r, e: e.link(target, embed), str(tok))

    def date_lit(self, tok: Token) -> Expr:
        word = str(tok)[str(tok).index("(") + 1:-1]
        if word.strip().lower() not in ("now", "today", "tomorrow", "yesterday", "sow", "eow", "som", "eom",
                                        "soy", "eoy"):
            fixed = date_literal(word, dt.datetime.now())
            return self._tag(lambda r, e: fixed, str(tok))
        return self._tag(lambda r, e: date_literal(word, e.now), str(tok))

    def dur_lit(self, tok: Token) -> Expr:
        d = parse_duration(str(tok)[str(tok).index("(") + 1:-1])
        if d is None:
            raise QueryError(f"{tok} is not a duration (units: years, months, weeks, days, hours, minutes, seconds)")
        return self._tag(lambda r, e: d, str(tok))

    def var(self, tok: Token) -> Expr:
        name = str(tok)
        low = name.lower()
        if low == "this":
            return self._tag(lambda r, e: e.this, name)
        if low == "row":
            return self._tag(lambda r, e: r, name)

        def get(r: Any, e: Any) -> Any:
            if r is None:
                raise QueryError(f"{name}: fields cannot be used here")
            v = r.get(name)
            return r.get(low) if v is None else v
        return self._tag(get, name)

    def list(self, *items: Expr | None) -> Expr:
        exprs = [i for i in items if i is not None]
        return self._tag(lambda r, e: [x(r, e) for x in exprs], "[" + ", ".join(getattr(x, "src", "") for x in exprs) + "]")

    def pair(self, key: Token, expr: Expr) -> tuple[str, Expr]:
        return (_unquote(key) if key.type == "STRING" else str(key)), expr

    def obj(self, *pairs: tuple[str, Expr] | None) -> Expr:
        ps = [p for p in pairs if p is not None]
        return self._tag(lambda r, e: {k: x(r, e) for k, x in ps}, "{…}")

    def lambda_(self, head: Token, body: Expr) -> Expr:
        params = re.findall(r"[^\W\d]\w*", str(head)[:str(head).rindex(")")])

        def make(r: Any, e: Any) -> Any:
            def fn(*args: Any) -> Any:
                return body(fns.Scope(dict(zip(params, args, strict=False)), r), e)
            return fn
        return self._tag(make, f"{head} {getattr(body, 'src', '')}")

    def member(self, obj: Expr, name: Token) -> Expr:
        key = str(name)
        return self._tag(lambda r, e: fns.member(obj(r, e), key, e), f"{getattr(obj, 'src', '')}.{key}")

    def index(self, obj: Expr, key: Expr) -> Expr:
        return self._tag(lambda r, e: fns.index(obj(r, e), key(r, e), e),
                         f"{getattr(obj, 'src', '')}[{getattr(key, 'src', '')}]")

    def call(self, name: Token, *args: Expr | None) -> Expr:
        fname = str(name).lower()
        argv = [a for a in args if a is not None]
        src = f"{name}({', '.join(getattr(a, 'src', '') for a in argv)})"
        if fname not in fns.FUNCTIONS:
            raise QueryError(f"unknown function {name}()")
        fn = fns.FUNCTIONS[fname]
        if fname in fns.LAZY:  # default(), choice(): evaluate only what is needed
            return self._tag(lambda r, e: fn(e, r, argv), src)

        def apply(r: Any, e: Any) -> Any:
            try:
                return fn(e, *[a(r, e) for a in argv])
            except QueryError as ex:
                if str(ex).startswith("expects"):
                    raise QueryError(f"{name}() {ex}") from None
                raise
            except (TypeError, ValueError, AttributeError, IndexError, OverflowError):
                raise QueryError(f"{name}(): wrong number or type of arguments in {src}") from None
        return self._tag(apply, src)

    def method(self, obj: Expr, name: Token, *args: Expr | None) -> Expr:
        from .methods import call_method

        argv = [a for a in args if a is not None]
        key = str(name)

        def f(r: Any, e: Any) -> Any:
            try:
                return call_method(e, obj(r, e), key, [a(r, e) for a in argv])
            except (TypeError, ValueError, AttributeError, IndexError, OverflowError):
                raise QueryError(f"{key}(): wrong number or type of arguments") from None
        return self._tag(f, f"{getattr(obj, 'src', '')}.{key}(…)")

    def expr_only(self, expr: Expr) -> Expr:
        return expr

    def not_(self, a: Expr) -> Expr:
        return self._tag(lambda r, e: not truthy(a(r, e)), f"!{getattr(a, 'src', '')}")

    def neg(self, a: Expr) -> Expr:
        def f(r: Any, e: Any) -> Any:
            v = a(r, e)
            if isinstance(v, int | float) and not isinstance(v, bool):
                return -v
            return -v if isinstance(v, Duration) else None
        return self._tag(f, f"-{getattr(a, 'src', '')}")

    def _bin(self, a: Expr, op: str, b: Expr, f: Callable[[Any, Any], Any]) -> Expr:
        return self._tag(f, f"{getattr(a, 'src', '')} {op} {getattr(b, 'src', '')}")

    def or_(self, a: Expr, *rest: Any) -> Expr:
        b = rest[-1]
        return self._bin(a, "or", b, lambda r, e: truthy(a(r, e)) or truthy(b(r, e)))

    def and_(self, a: Expr, *rest: Any) -> Expr:
        b = rest[-1]
        return self._bin(a, "and", b, lambda r, e: truthy(a(r, e)) and truthy(b(r, e)))

    def cmp(self, a: Expr, op: Token, b: Expr) -> Expr:
        test = _CMP[str(op)]
        if str(op) in ("=", "==", "!="):
            want = str(op) != "!="
            return self._bin(a, str(op), b, lambda r, e: equal(a(r, e), b(r, e)) == want)
        return self._bin(a, str(op), b, lambda r, e: test(compare(a(r, e), b(r, e))))

    def arith(self, a: Expr, op: Token, b: Expr) -> Expr:
        o = str(op)
        return self._bin(a, o, b, lambda r, e: arith(o, a(r, e), b(r, e)))


@v_args(inline=True)
class _BasesBuild(_Build):
    """Bases expressions: a date plus or minus a duration string (`now() - "1 week"`) is date arithmetic."""

    def arith(self, a: Expr, op: Token, b: Expr) -> Expr:
        o = str(op)

        def f(r: Any, e: Any) -> Any:
            x, y = a(r, e), b(r, e)
            if o in "+-" and isinstance(x, dt.datetime) and isinstance(y, str):
                d = parse_duration(y)
                if d is not None:
                    y = d
            return arith(o, x, y)
        return self._bin(a, o, b, f)
