"""Dataview's function library (the cheap, deterministic part of it), member access and indexing."""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from .values import Duration, Link, QueryError, compare, equal, parse_duration, truthy, type_name


class Scope(dict):
    """Lambda parameters over the enclosing row: `map(rows, (r) => r.x)` still sees the row's fields."""

    def __init__(self, own: dict[str, Any], parent: Any) -> None:
        super().__init__(own)
        self.parent = parent

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if key in self:
            return self[key]
        return self.parent.get(key, default) if self.parent is not None else default


# -- formatting -------------------------------------------------------------------------------------
def fmt_date(d: dt.datetime) -> str:
    """Dataview's default formats: `MMMM dd, yyyy`, and `h:mm a - MMMM dd, yyyy` when there is a time."""
    day = d.strftime("%B %d, %Y")
    if (d.hour, d.minute, d.second, d.microsecond) == (0, 0, 0, 0):
        return day
    return f"{d.hour % 12 or 12}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'} - {day}"


def fmt_number(v: float) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def to_string(v: Any) -> str:
    """A value as text, as Dataview's string() and concatenation show it."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return fmt_number(v)
    if isinstance(v, dt.datetime):
        return fmt_date(v)
    if isinstance(v, Link):
        return str(v)
    if isinstance(v, list):
        return ", ".join(to_string(x) for x in v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k}: {to_string(x)}" for k, x in v.items()) + " }"
    return str(v)


# -- member access ----------------------------------------------------------------------------------
DATE_PARTS: dict[str, Callable[[dt.datetime], Any]] = {
    "year": lambda d: d.year, "month": lambda d: d.month, "day": lambda d: d.day, "hour": lambda d: d.hour,
    "minute": lambda d: d.minute, "second": lambda d: d.second, "millisecond": lambda d: d.microsecond // 1000,
    "week": lambda d: d.isocalendar()[1], "weekyear": lambda d: d.isocalendar()[1],
    "weekday": lambda d: d.isoweekday(), "ts": lambda d: int(d.replace(tzinfo=dt.UTC).timestamp() * 1000),
}


def member(obj: Any, key: str, env: Any) -> Any:
    """`obj.key`: objects, page links (their page's fields), dates, durations; lists map it (swizzling)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        v = obj.get(key)
        return obj.get(key.lower()) if v is None else v
    if isinstance(obj, Link):
        page = env.page_of(obj) if env is not None else None
        return member(page, key, env) if page is not None else None
    if isinstance(obj, list):
        if key == "length":
            return len(obj)
        return [member(x, key, env) for x in obj]
    if isinstance(obj, dt.datetime):
        part = DATE_PARTS.get(key.lower())
        return part(obj) if part else None
    if isinstance(obj, Duration):
        return obj.part(key.lower())
    if isinstance(obj, str) and key.lower() == "length":
        return len(obj)
    return None


def index(obj: Any, key: Any, env: Any) -> Any:
    if isinstance(key, str):
        return member(obj, key, env)
    if isinstance(obj, list | str) and isinstance(key, int) and not isinstance(key, bool):
        return obj[key] if -len(obj) <= key < len(obj) else None
    return None


# -- helpers ----------------------------------------------------------------------------------------
def vectorized(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Dataview applies element-wise functions to each item of a list first argument."""
    def wrapped(env: Any, first: Any = None, *rest: Any) -> Any:
        if isinstance(first, list):
            return [fn(env, x, *rest) for x in first]
        return fn(env, first, *rest)
    return wrapped


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _str_fn(f: Callable[..., Any]) -> Callable[..., Any]:
    """A string function: null in, null out; a non-string is an error Dataview also raises."""
    @vectorized
    def wrapped(env: Any, s: Any, *rest: Any) -> Any:
        if s is None:
            return None
        if isinstance(s, Link):
            s = s.name
        if not isinstance(s, str):
            raise QueryError(f"expects text, got {type_name(s)}")
        return f(s, *rest)
    return wrapped


def _contains(hay: Any, needle: Any, fold: bool, exact: bool) -> bool:
    if isinstance(hay, str):
        if not isinstance(needle, str):
            return False
        return needle.lower() in hay.lower() if fold else needle in hay
    if isinstance(hay, list):
        if exact:
            return any(equal(x, needle) for x in hay)
        return any(_contains(x, needle, fold, False) if isinstance(x, str | list) and isinstance(needle, str)
                   else equal(x, needle) for x in hay)
    if isinstance(hay, dict):
        return isinstance(needle, str) and needle in hay
    if isinstance(hay, Link) and isinstance(needle, Link):
        return equal(hay, needle)
    return equal(hay, needle) if hay is not None else False


def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as e:
        raise QueryError(f"bad regular expression {pattern!r}: {e}") from None


LUXON = re.compile(r"yyyy|yy|MMMM|MMM|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|SSS|a|EEEE|EEE|E|kkkk|WW|W|'[^']*'")


def luxon_format(d: dt.datetime, fmt: str) -> str:
    """Luxon format tokens (the ones dateformat() is used with) → text."""
    def tok(m: re.Match[str]) -> str:
        t = m.group()
        table = {"yyyy": f"{d.year:04d}", "yy": f"{d.year % 100:02d}", "MMMM": d.strftime("%B"),
                 "MMM": d.strftime("%b"), "MM": f"{d.month:02d}", "M": str(d.month), "dd": f"{d.day:02d}",
                 "d": str(d.day), "HH": f"{d.hour:02d}", "H": str(d.hour), "hh": f"{(d.hour % 12 or 12):02d}",
                 "h": str(d.hour % 12 or 12), "mm": f"{d.minute:02d}", "m": str(d.minute),
                 "ss": f"{d.second:02d}", "s": str(d.second), "SSS": f"{d.microsecond // 1000:03d}",
                 "a": "AM" if d.hour < 12 else "PM", "EEEE": d.strftime("%A"), "EEE": d.strftime("%a"),
                 "E": str(d.isoweekday()), "kkkk": str(d.isocalendar()[0]), "WW": f"{d.isocalendar()[1]:02d}",
                 "W": str(d.isocalendar()[1])}
        return t[1:-1] if t.startswith("'") else table[t]
    return LUXON.sub(tok, fmt)


def parse_with_format(text: str, fmt: str) -> dt.datetime | None:
    """date(text, "yyyy-MM-dd"): the common Luxon tokens, mapped to strptime."""
    mapping = {"yyyy": "%Y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d",
               "HH": "%H", "H": "%H", "hh": "%I", "h": "%I", "mm": "%M", "m": "%M", "ss": "%S", "s": "%S",
               "a": "%p", "EEEE": "%A", "EEE": "%a", "SSS": "%f"}
    pattern = LUXON.sub(lambda m: m.group()[1:-1] if m.group().startswith("'") else mapping.get(m.group(), m.group()),
                        fmt)
    try:
        return dt.datetime.strptime(text, pattern)
    except ValueError:
        return None


def _sort_values(values: list[Any], key: Any = None) -> list[Any]:
    if key is None:
        return sorted(values, key=cmp_to_key(compare))
    return sorted(values, key=cmp_to_key(lambda a, b: compare(key(a), key(b))))


def _date(env: Any, v: Any, fmt: Any = None) -> Any:
    if isinstance(v, dt.datetime) or v is None:
        return v
    if isinstance(v, Link):
        page = env.page_of(v) if env is not None else None
        return page["file"].get("day") if page else None
    if isinstance(v, str):
        if fmt is not None:
            return parse_with_format(v, str(fmt))
        from .parser import date_literal

        try:
            return date_literal(v, env.now if env is not None else dt.datetime.now())
        except QueryError:
            return None
    return None


def _dur(env: Any, v: Any) -> Any:
    if isinstance(v, Duration) or v is None:
        return v
    return parse_duration(v) if isinstance(v, str) else None


def _number(env: Any, v: Any) -> Any:
    if _num(v):
        return v
    if isinstance(v, str):
        m = re.search(r"-?\d+(?:\.\d+)?", v)
        if m:
            return float(m.group()) if "." in m.group() else int(m.group())
    return None


def _length(env: Any, v: Any) -> Any:
    if v is None:
        return 0
    if isinstance(v, str | list | dict):
        return len(v)
    return 0


def _numbers(values: Any) -> list[Any]:
    if not isinstance(values, list):
        values = [values]
    return [v for v in values if v is not None]


def _sum(env: Any, values: Any) -> Any:
    vals = _numbers(values)
    if not vals:
        return None
    total = vals[0]
    from .parser import arith
    for v in vals[1:]:
        total = arith("+", total, v)
    return total


def _average(env: Any, values: Any) -> Any:
    vals = _numbers(values)
    s = _sum(env, vals)
    return s / len(vals) if _num(s) and vals else None


def _minmax(sign: int) -> Callable[..., Any]:
    def f(env: Any, *args: Any) -> Any:
        vals = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
        vals = [v for v in vals if v is not None]
        if not vals:
            return None
        best = vals[0]
        for v in vals[1:]:
            if compare(v, best) * sign > 0:
                best = v
        return best
    return f


def _by(sign: int) -> Callable[..., Any]:
    def f(env: Any, values: Any, fn: Any) -> Any:
        if not isinstance(values, list) or not values:
            return None
        best = values[0]
        for v in values[1:]:
            if compare(fn(v), fn(best)) * sign > 0:
                best = v
        return best
    return f


def _round(env: Any, v: Any, digits: Any = 0) -> Any:
    if not _num(v):
        return None
    digits = int(digits) if _num(digits) else 0
    q = 10 ** digits
    r = math.floor(v * q + 0.5) / q  # JavaScript's Math.round: halves go up, not to even
    return int(r) if digits == 0 else r


def _default(env: Any, row: Any, args: list[Any]) -> Any:
    if len(args) != 2:
        raise QueryError("default() takes 2 arguments: default(field, value)")
    v = args[0](row, env)
    if isinstance(v, list):
        fallback = args[1](row, env)
        return [fallback if x is None else x for x in v]
    return args[1](row, env) if v is None else v


def _ldefault(env: Any, row: Any, args: list[Any]) -> Any:
    v = args[0](row, env)
    return args[1](row, env) if v is None else v


def _choice(env: Any, row: Any, args: list[Any]) -> Any:
    if len(args) != 3:
        raise QueryError("choice() takes 3 arguments: choice(condition, then, else)")
    return args[1](row, env) if truthy(args[0](row, env)) else args[2](row, env)


def _link(env: Any, target: Any, display: Any = None, embed: bool = False) -> Any:
    if isinstance(target, list):
        return [_link(env, t, display, embed) for t in target]
    if isinstance(target, Link):
        target = target.path
    if target is None:
        return None
    base = env.link(str(target), embed) if env is not None else Link(str(target), None, None, embed)
    return Link(base.path, base.slug, str(display) if display is not None else None, embed)


def _flat(env: Any, values: Any, depth: Any = 1) -> Any:
    if not isinstance(values, list):
        return values
    out: list[Any] = []
    for v in values:
        if isinstance(v, list) and depth > 0:
            out.extend(_flat(env, v, depth - 1))
        else:
            out.append(v)
    return out


def _slice(env: Any, values: Any, start: Any = None, end: Any = None) -> Any:
    if not isinstance(values, list | str):
        return None
    return values[start:end]


def _unique(env: Any, values: Any) -> Any:
    if not isinstance(values, list):
        return values
    out: list[Any] = []
    for v in values:
        if not any(equal(v, o) for o in out):
            out.append(v)
    return out


def _split(s: str, sep: str, limit: Any = None) -> list[str]:
    parts = _regex(sep).split(s)
    return parts[:int(limit)] if _num(limit) else parts


def _meta(env: Any, link: Any) -> Any:
    if not isinstance(link, Link):
        return None
    return {"display": link.display, "embed": link.embed, "path": link.path, "subpath": None, "type": "file"}


def _join(env: Any, values: Any, sep: Any = ", ") -> Any:
    if not isinstance(values, list):
        return to_string(values)
    return str(sep).join(to_string(v) for v in values)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    # constructors
    "object": lambda env, *kv: {str(kv[i]): kv[i + 1] for i in range(0, len(kv) - 1, 2)},
    "list": lambda env, *items: list(items), "array": lambda env, *items: list(items),
    "date": _date, "dur": _dur, "number": _number, "string": lambda env, v: to_string(v),
    "link": _link, "embed": lambda env, t, embed=True: _link(env, t, None, bool(embed)),
    "elink": lambda env, url, display=None: f"{display or url}", "typeof": lambda env, v: type_name(v),
    "typeOf": lambda env, v: type_name(v),
    # numbers
    "round": vectorized(_round), "trunc": vectorized(lambda env, v: math.trunc(v) if _num(v) else None),
    "floor": vectorized(lambda env, v: math.floor(v) if _num(v) else None),
    "ceil": vectorized(lambda env, v: math.ceil(v) if _num(v) else None),
    "min": _minmax(-1), "max": _minmax(1), "minby": _by(-1), "maxby": _by(1),
    "sum": _sum, "average": _average,
    "product": lambda env, values: math.prod(_numbers(values)) if _numbers(values) else None,
    # objects, lists
    "contains": lambda env, hay, needle: _contains(hay, needle, False, False),
    "icontains": lambda env, hay, needle: _contains(hay, needle, True, False),
    "econtains": lambda env, hay, needle: _contains(hay, needle, False, True),
    "containsword": lambda env, hay, w: (bool(re.search(rf"\b{re.escape(w)}\b", hay, re.I))
                                         if isinstance(hay, str) and isinstance(w, str) else False),
    "extract": lambda env, obj, *keys: {k: member(obj, k, env) for k in keys},
    "sort": lambda env, values, key=None: _sort_values(values, key) if isinstance(values, list) else values,
    "reverse": lambda env, values: list(reversed(values)) if isinstance(values, list) else values,
    "length": _length, "nonnull": lambda env, values: [v for v in values if v is not None] if isinstance(values, list) else values,
    "all": lambda env, values, fn=None: all(truthy(fn(v) if fn else v) for v in (values if isinstance(values, list) else [values])),
    "any": lambda env, values, fn=None: any(truthy(fn(v) if fn else v) for v in (values if isinstance(values, list) else [values])),
    "none": lambda env, values, fn=None: not any(truthy(fn(v) if fn else v) for v in (values if isinstance(values, list) else [values])),
    "join": _join,
    "filter": lambda env, values, fn: [v for v in values if truthy(fn(v))] if isinstance(values, list) else None,
    "map": lambda env, values, fn: [fn(v) for v in values] if isinstance(values, list) else None,
    "reduce": lambda env, values, fn: _reduce(values, fn),
    "flat": _flat, "slice": _slice, "unique": _unique,
    "firstvalue": lambda env, values: next((v for v in values if v is not None), None) if isinstance(values, list) else values,
    # strings
    "regextest": lambda env, pat, s: bool(_regex(pat).search(s)) if isinstance(s, str) else False,
    "regexmatch": lambda env, pat, s: bool(_regex(pat).fullmatch(s)) if isinstance(s, str) else False,
    "regexreplace": _str_fn(lambda s, pat, rep: _regex(pat).sub(re.sub(r"\$(\d)", r"\\\1", rep), s)),
    "replace": _str_fn(lambda s, a, b: s.replace(a, b)),
    "lower": _str_fn(lambda s: s.lower()), "upper": _str_fn(lambda s: s.upper()),
    "split": _str_fn(_split),
    "startswith": _str_fn(lambda s, p: s.startswith(p)), "endswith": _str_fn(lambda s, p: s.endswith(p)),
    "padleft": _str_fn(lambda s, n, pad=" ": s.rjust(int(n), pad[:1] or " ")),
    "padright": _str_fn(lambda s, n, pad=" ": s.ljust(int(n), pad[:1] or " ")),
    "substring": _str_fn(lambda s, start, end=None: s[int(start):None if end is None else int(end)]),
    "truncate": _str_fn(lambda s, n, suffix="...": s if len(s) <= n else s[:max(0, int(n) - len(suffix))] + suffix),
    # utility
    "default": _default, "ldefault": _ldefault, "choice": _choice,
    "striptime": vectorized(lambda env, d: d.replace(hour=0, minute=0, second=0, microsecond=0)
                            if isinstance(d, dt.datetime) else None),
    "dateformat": vectorized(lambda env, d, fmt: luxon_format(d, fmt) if isinstance(d, dt.datetime) else None),
    "durationformat": lambda env, d, fmt=None: str(d) if isinstance(d, Duration) else None,
    "localtime": lambda env, d: d, "meta": _meta,
    "currencyformat": lambda env, n, cur="USD": f"{n:,.2f} {cur}" if _num(n) else None,
}
FUNCTIONS |= {  # Obsidian Bases' global functions
    "now": lambda env: env.now, "today": lambda env: env.now.replace(hour=0, minute=0, second=0, microsecond=0),
    "if": lambda env, row, args: _choice(env, row, [*args, *([] if len(args) == 3 else [lambda r, e: None])]),
    "duration": _dur,
}
FUNCTIONS = {k.lower(): v for k, v in FUNCTIONS.items()}
LAZY = frozenset({"default", "ldefault", "choice", "if"})


def _reduce(values: Any, fn: Any) -> Any:
    if not isinstance(values, list) or not values:
        return None
    acc = values[0]
    for v in values[1:]:
        acc = fn(acc, v)
    return acc
