"""Dataview's value types (links, dates, durations) and its typing, ordering and truthiness rules."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Any


class QueryError(Exception):
    """A query that cannot be parsed or evaluated; the message names the problem."""


@dataclass(frozen=True)
class Link:
    """A link to an entry (slug set) or to something that does not resolve (slug None)."""

    path: str  # the entry's path without .md, or the target as written
    slug: str | None = None
    display: str | None = None
    embed: bool = False

    @property
    def name(self) -> str:
        return self.display or self.path.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return f"[[{self.path}|{self.display}]]" if self.display else f"[[{self.path}]]"


UNITS = {  # Dataview's duration units (Luxon), with their plural and short spellings
    "year": ("years", 0), "month": ("months", 0), "week": ("days", 7), "day": ("days", 1),
    "hour": ("seconds", 3600), "minute": ("seconds", 60), "second": ("seconds", 1), "millisecond": ("seconds", 0.001),
}
ALIASES = {"yr": "year", "yrs": "year", "y": "year", "mo": "month", "mos": "month", "w": "week", "wk": "week",
           "wks": "week", "d": "day", "h": "hour", "hr": "hour", "hrs": "hour", "m": "minute", "min": "minute",
           "mins": "minute", "s": "second", "sec": "second", "secs": "second", "ms": "millisecond"}
DUR_PART = re.compile(r"(-?\d+(?:\.\d+)?)\s*([a-z]+)", re.I)


@total_ordering
@dataclass(frozen=True)
class Duration:
    """A Luxon-like duration: calendar months (years folded in) plus exact seconds (weeks and days folded in)."""

    months: int = 0
    seconds: float = 0.0

    def approx(self) -> float:
        return self.months * 30 * 86400 + self.seconds

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.approx() < other.approx()

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.months + other.months, self.seconds + other.seconds)

    def __neg__(self) -> Duration:
        return Duration(-self.months, -self.seconds)

    def scale(self, k: float) -> Duration:
        return Duration(int(self.months * k), self.seconds * k)

    def part(self, name: str) -> float | None:
        """`dur.days`, `dur.hours`…: the duration in that unit, as Luxon's `as()`."""
        name = ALIASES.get(name, name.rstrip("s") if name.endswith("s") and name != "s" else name)
        if name in ("year", "month"):
            return self.approx() / (365 * 86400 if name == "year" else 30 * 86400)
        if name in UNITS:
            return self.approx() / (UNITS[name][1] * (86400 if name in ("week", "day") else 1))
        return None

    def __str__(self) -> str:
        parts = []
        years, months = divmod(abs(self.months), 12)
        secs = abs(self.seconds)
        days, secs = divmod(secs, 86400)
        hours, secs = divmod(secs, 3600)
        minutes, secs = divmod(secs, 60)
        for n, unit in ((years, "year"), (months, "month"), (days, "day"), (hours, "hour"), (minutes, "minute"),
                        (secs, "second")):
            if n:
                n = int(n) if float(n).is_integer() else round(n, 3)
                parts.append(f"{n} {unit}{'' if n == 1 else 's'}")
        sign = "-" if self.months < 0 or self.seconds < 0 else ""
        return sign + (", ".join(parts) if parts else "0 seconds")


def parse_duration(text: str) -> Duration | None:
    """`7 days`, `1 month, 2 days`, `3h 20m` → Duration; None when it is not one."""
    text = text.strip()
    parts = DUR_PART.findall(text)
    if not parts or DUR_PART.sub("", text).replace(",", "").replace("and", "").strip():
        return None
    months, seconds = 0, 0.0
    for num, unit in parts:
        unit = unit.lower()
        unit = ALIASES.get(unit, unit[:-1] if unit.endswith("s") and unit[:-1] in UNITS else unit)
        if unit not in UNITS:
            return None
        n = float(num)
        if unit == "year":
            months += int(n * 12)
        elif unit == "month":
            months += int(n)
        elif unit in ("week", "day"):
            seconds += n * UNITS[unit][1] * 86400
        else:
            seconds += n * UNITS[unit][1]
    return Duration(months, seconds)


ISO = re.compile(r"^\d{4}-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?$")


def parse_date(text: str) -> dt.datetime | None:
    """An ISO date or date-time (Dataview's own literal forms) → naive datetime (UTC when zoned)."""
    text = text.strip()
    if not ISO.match(text):
        return None
    if len(text) == 7:
        text += "-01"
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def add_duration(d: dt.datetime, dur: Duration) -> dt.datetime:
    """Calendar-aware: `date + dur(1 month)` keeps the day of month where it exists, as Luxon does."""
    if dur.months:
        total = d.year * 12 + (d.month - 1) + dur.months
        year, month = divmod(total, 12)
        day = min(d.day, calendar.monthrange(year, month + 1)[1])
        d = d.replace(year=year, month=month + 1, day=day)
    return d + dt.timedelta(seconds=dur.seconds)


def between(a: dt.datetime, b: dt.datetime) -> Duration:
    return Duration(0, (a - b).total_seconds())


LINK_TEXT = re.compile(r"^!?\[\[([^\[\]]+)\]\]$")


def type_text(text: str, link: Any = None) -> Any:
    """A field's string value typed as Dataview does: dates, durations, links, numbers, booleans stay strings
    in front matter YAML already; strings that look like a date or a link become one."""
    m = LINK_TEXT.match(text.strip())
    if m and link is not None:
        return link(m.group(1), text.strip().startswith("!"))
    d = parse_date(text)
    return d if d is not None else text


def type_inline(text: str, link: Any = None) -> Any:
    """An inline field's raw text (`key:: value`) typed: number, boolean, date, duration, link, string."""
    t = text.strip()
    if re.fullmatch(r"-?\d+(?:\.\d+)?", t):
        return float(t) if "." in t else int(t)
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    if len(t) >= 2 and t[0] == t[-1] == '"':
        return t[1:-1]
    typed = type_text(t, link)
    if typed is not t and typed != t:
        return typed
    dur = parse_duration(t) if any(c.isdigit() for c in t) else None
    return dur if dur is not None else t


# -- ordering: Dataview compares values of different types by a fixed type order ------------------
_ORDER = {type(None): 0, bool: 1, int: 2, float: 2, str: 3, dt.datetime: 4, Duration: 5, Link: 6, list: 7, dict: 8}


def type_rank(v: Any) -> int:
    return _ORDER.get(type(v), 9)


def compare(a: Any, b: Any) -> int:
    """Total order over values (−1, 0, 1), nulls first, as Dataview sorts and compares."""
    ra, rb = type_rank(a), type_rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if a is None:
        return 0
    if isinstance(a, str):
        a, b = a.lower(), b.lower()  # Dataview's string comparison is locale-aware; case folds first
    elif isinstance(a, Link):
        a, b = a.path.lower(), b.path.lower()
    elif isinstance(a, list):
        for x, y in zip(a, b, strict=False):
            c = compare(x, y)
            if c:
                return c
        a, b = len(a), len(b)
    elif isinstance(a, dict):
        a, b = len(a), len(b)
    if a == b:
        return 0
    return -1 if a < b else 1


def equal(a: Any, b: Any) -> bool:
    if isinstance(a, Link) and isinstance(b, Link):
        return (a.slug or a.path.lower()) == (b.slug or b.path.lower())
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return compare(a, b) == 0


def truthy(v: Any) -> bool:
    """Dataview truthiness: null, false, 0, "" and empty lists/objects are false."""
    if v is None or v is False:
        return False
    if isinstance(v, int | float):
        return v != 0
    if isinstance(v, str | list | dict):
        return len(v) > 0
    if isinstance(v, Duration):
        return v.approx() != 0
    return True


def type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dt.datetime):
        return "date"
    if isinstance(v, Duration):
        return "duration"
    if isinstance(v, Link):
        return "link"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    if callable(v):
        return "function"
    return "unknown"
