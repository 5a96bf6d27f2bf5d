"""JSON for stored records: orjson (several times faster than the standard library), same text format.

Falls back to the standard library for what orjson refuses (integers beyond 64 bits, which YAML allows).
"""
from __future__ import annotations

import json
from typing import Any

import orjson

_OPTS = orjson.OPT_NON_STR_KEYS


def dumps(obj: Any) -> str:
    try:
        return orjson.dumps(obj, option=_OPTS).decode()
    except (orjson.JSONEncodeError, TypeError):
        # The leading space (still valid JSON) marks text orjson would read lossily (big ints become floats).
        return " " + json.dumps(obj, ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    if text[:1] in (" ", b" "):
        return json.loads(text)
    return orjson.loads(text)
