"""Method calls (`value.contains(x)`, `file.hasTag("a")`): Obsidian Bases' expression style, on the same values."""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from .functions import FUNCTIONS, luxon_format, to_string
from .values import Link, QueryError, equal, truthy, type_name

MOMENT = re.compile(r"YYYY|YY|MMMM|MMM|MM|M|DD|Do|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|A|a|\[[^\]]*\]")
_MOMENT_TO_LUXON = {"YYYY": "yyyy", "YY": "yy", "MMMM": "MMMM", "MMM": "MMM", "MM": "MM", "M": "M", "DD": "dd",
                    "D": "d", "Do": "d", "dddd": "EEEE", "ddd": "EEE", "HH": "HH", "H": "H", "hh": "hh", "h": "h",
                    "mm": "mm", "m": "m", "ss": "ss", "s": "s", "A": "a", "a": "a"}


def moment_format(d: dt.datetime, fmt: str) -> str:
    """Bases formats dates with moment.js tokens (`YYYY-MM-DD`)."""
    def tok(m: re.Match[str]) -> str:
        t = m.group()
        return t[1:-1] if t.startswith("[") else luxon_format(d, _MOMENT_TO_LUXON[t])
    return MOMENT.sub(tok, fmt)


def _is_file(v: Any) -> bool:
    return isinstance(v, dict) and "link" in v and "tags" in v and "folder" in v


def _has_tag(env: Any, file: dict[str, Any], *tags: Any) -> bool:
    have = {t.lower() for t in file.get("tags") or []}
    return any("#" + str(t).lstrip("#").lower() in have for t in tags)


def _in_folder(env: Any, file: dict[str, Any], folder: Any) -> bool:
    f = str(folder).strip("/")
    return not f or file["folder"] == f or file["folder"].startswith(f + "/")


def _has_link(env: Any, file: dict[str, Any], target: Any) -> bool:
    if isinstance(target, dict) and "link" in target:
        target = target["link"]
    if not isinstance(target, Link):
        target = env.link(str(target))
    return any(equal(link, target) for link in file.get("outlinks") or [])


def _contains_all(env: Any, hay: Any, *needles: Any) -> bool:
    return all(FUNCTIONS["contains"](env, hay, n) for n in needles)


def _contains_any(env: Any, hay: Any, *needles: Any) -> bool:
    return any(FUNCTIONS["contains"](env, hay, n) for n in needles)


def _is_empty(env: Any, v: Any) -> bool:
    return v is None or (isinstance(v, str | list | dict) and len(v) == 0)


def _round(env: Any, v: Any, digits: Any = 0) -> Any:
    return FUNCTIONS["round"](env, v, digits)


COMMON: dict[str, Callable[..., Any]] = {
    "isempty": _is_empty, "istruthy": lambda env, v: truthy(v), "tostring": lambda env, v: to_string(v),
    "istype": lambda env, v, t: type_name(v) == str(t).lower() or (t == "list" and isinstance(v, list)),
}
BY_TYPE: dict[type, dict[str, Callable[..., Any]]] = {
    str: {"contains": FUNCTIONS["contains"], "containsall": _contains_all, "containsany": _contains_any,
          "startswith": FUNCTIONS["startswith"], "endswith": FUNCTIONS["endswith"], "lower": FUNCTIONS["lower"],
          "upper": FUNCTIONS["upper"], "title": lambda env, s: s.title(), "trim": lambda env, s: s.strip(),
          "replace": lambda env, s, a, b: s.replace(a, b), "split": lambda env, s, sep: s.split(sep),
          "slice": lambda env, s, a=None, b=None: s[a:b], "reverse": lambda env, s: s[::-1],
          "repeat": lambda env, s, n: s * int(n)},
    float: {"abs": lambda env, n: abs(n), "ceil": lambda env, n: math.ceil(n), "floor": lambda env, n: math.floor(n),
            "round": _round, "tofixed": lambda env, n, k=0: f"{n:.{int(k)}f}"},
    list: {"contains": lambda env, xs, v: any(equal(x, v) for x in xs), "containsall": _contains_all,
           "containsany": _contains_any, "join": FUNCTIONS["join"], "sort": FUNCTIONS["sort"],
           "reverse": FUNCTIONS["reverse"], "unique": FUNCTIONS["unique"], "flat": FUNCTIONS["flat"],
           "slice": FUNCTIONS["slice"]},
    dt.datetime: {"format": lambda env, d, f: moment_format(d, str(f)),
                  "date": lambda env, d: d.replace(hour=0, minute=0, second=0, microsecond=0),
                  "time": lambda env, d: d.strftime("%H:%M:%S")},
    dict: {"hastag": _has_tag, "infolder": _in_folder, "haslink": _has_link,
           "hasproperty": lambda env, f, name: name in (f.get("frontmatter") or {}),
           "aslink": lambda env, f, display=None: f.get("link")},
    Link: {"aslink": lambda env, link, display=None: link},
}
BY_TYPE[int] = BY_TYPE[float]


def call_method(env: Any, obj: Any, name: str, args: list[Any]) -> Any:
    key = name.lower()
    if obj is None and key not in COMMON:
        return None  # a missing property: Bases evaluates the call as empty rather than failing the view
    table = BY_TYPE.get(type(obj), {})
    if type(obj) is dict and not _is_file(obj):
        table = {}
    fn = table.get(key) or COMMON.get(key)
    if fn is None:
        raise QueryError(f"{type_name(obj)} has no method {name}()")
    return fn(env, obj, *args)
