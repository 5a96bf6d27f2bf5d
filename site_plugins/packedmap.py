"""Discovery's per-entry fields held packed: each entry's one compressed `marshal` string, unpacked when read.

A big build's discovery result (`SiteDiscovery.fields`: slug -> keywords, topics, related, duplicates, unlinked)
lands in the build process at its end, when its memory peaks, and stays there for later edits: ~1.6 KB an entry
as dicts and lists (~160 MB at 100,000 entries), a fraction of that packed. The forked discovery packs it before
it writes it (site_plugins/discovery_later.py), so the build process never holds it unpacked. A value `marshal`
cannot give back as it was (not made of built-in types only) is held as it is. Reads unpack one entry (`get`, `[]`); `differs` compares two maps'
entries by their bytes first (equal bytes: equal values, the common case after an edit).
"""
from __future__ import annotations

import marshal
import zlib
from collections.abc import Iterator, Mapping
from typing import Any


class PackedMap(Mapping[str, Any]):
    """A read-only str -> plain value mapping whose values are held packed."""

    __slots__ = ("_raw",)

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        self._raw: dict[str, Any] = raw if raw is not None else {}

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> PackedMap:
        """`values` packed (packed already: itself)."""
        if isinstance(values, PackedMap):
            return values
        return cls({k: _pack(v) for k, v in values.items()})

    def __getitem__(self, key: str) -> Any:
        return _unpack(self._raw[key])

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedMap):
            return self._raw.keys() == other._raw.keys() and not any(self.differs(other, k) for k in self._raw)
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]  # (a mapping: unhashable, as dict)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as it is held: still packed
        return (PackedMap, (self._raw,))

    def differs(self, other: PackedMap, key: str) -> bool:
        """Whether the two maps' values for `key` differ (one missing counts as None)."""
        a, b = self._raw.get(key), other._raw.get(key)
        if a is b or (type(a) is bytes and a == b):
            return False
        return _unpack(a) != _unpack(b)


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any, depth: int = 0) -> bool:
    """Made of built-in containers and atoms only: what `marshal` gives back as it was (it would write a NumPy
    float, a float subclass with a buffer, as bytes)."""
    t = type(value)
    if t in _ATOMS:
        return True
    if depth > 50:
        return False
    if t is list or t is tuple:
        return all(_plain(v, depth + 1) for v in value)
    if t is dict:
        return all(type(k) in _ATOMS and _plain(v, depth + 1) for k, v in value.items())
    return False


def _pack(value: Any) -> Any:
    if not _plain(value):  # held as it is
        return _Raw(value)
    return zlib.compress(marshal.dumps(value), 1)


def _unpack(held: Any) -> Any:
    if held is None:
        return None
    if type(held) is _Raw:
        return held.value
    return marshal.loads(zlib.decompress(held))  # noqa: S302 - packed by this build's own processes


class _Raw:
    """A value held unpacked (bytes are packed values: this keeps the two apart)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is _Raw and other.value == self.value

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Raw, (self.value,))
