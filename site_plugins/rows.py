"""A record's link and heading rows held as slotted objects: a read-only mapping in a third of a dict's memory.

Every record a build holds has its links as `{"target", "kind", "raw", "line", ...}` dicts: ~7 an entry, 184 bytes
each as a dict (~130 MB at 100,000 entries in the build process, and again in a page worker once it touches them),
and ~2.5 `{"level", "text", "anchor", "line"}` headings.
A `Row` keeps the same keys, values and order in slots (64 bytes with four keys): one class per key order, made
once. It reads as the dict did (`[]`, `get`, `in`, iteration, `==` with a dict), is never written (nothing in the
site mutates a record: site_plugins/compact.py) and pickles back to a `Row` (the records' load sends them).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

_CLASSES: dict[tuple[str, ...], type[Row]] = {}
MAX_KEYS = 16  # a row with more keys stays a dict (none does: a link has at most ~7)


class Row(Mapping[str, Any]):
    """A read-only str-keyed row; `_at` maps each key to its slot's descriptor, in the row's key order."""

    __slots__ = ()
    _keys: tuple[str, ...] = ()
    _at: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        d = self._at.get(key)
        if d is None:
            raise KeyError(key)
        return d.__get__(self)

    def get(self, key: str, default: Any = None) -> Any:
        d = self._at.get(key)
        return default if d is None else d.__get__(self)

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return len(other) == len(self._keys) and all(
                k in other and other[k] == d.__get__(self) for k, d in self._at.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (a mapping: unhashable, as dict)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_made, (self._keys, *[d.__get__(self) for d in self._at.values()]))

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def _made(keys: tuple[str, ...], *values: Any) -> Row:
    cls = _CLASSES.get(keys)
    if cls is None:
        slots = tuple(f"_{i}" for i in range(len(keys)))
        cls = type("Row", (Row,), {"__slots__": slots, "_keys": keys, "__module__": __name__})
        cls._at = {k: cls.__dict__[s] for k, s in zip(keys, slots, strict=True)}
        _CLASSES[keys] = cls
    row = cls.__new__(cls)
    for d, v in zip(cls._at.values(), values, strict=True):
        d.__set__(row, v)
    return row


def row(d: Any) -> Any:
    """`d` as a Row when it is a dict with string keys (and few enough), else `d` itself."""
    if type(d) is not dict or not d or len(d) > MAX_KEYS or not all(type(k) is str for k in d):
        return d
    return _made(tuple(d), *d.values())
