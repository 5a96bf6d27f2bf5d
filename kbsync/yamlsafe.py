"""Bounded YAML for front matter: libyaml composes, then aliases, duplicate keys and values are checked.

libyaml never expands aliases while composing (an alias is a second reference to the same node), so a
400-byte alias bomb composes to a few dozen nodes. The expansion happens later, in whoever walks the
values. :func:`expansion_over` walks the graph once, counting every node reached again through an alias,
and stops at a small budget: a bomb (or a recursive anchor) is refused in microseconds.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

try:  # libyaml when present: composing nodes is the parse floor's main cost
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Base = yaml.SafeLoader

_TAGS: dict[tuple[Any, ...], str] = {}  # (node kind, value, implicit) -> tag: keys and short values recur
_TAGS_MAX = 50_000


class Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader with its implicit-tag resolver memoised (libyaml calls it, in Python, for every scalar).

    The tag depends only on (kind, value, implicit) here: the safe loader has no path resolvers."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if type(value) is not str or len(value) > 64:  # noqa: E721 - exact type: a key must hash and compare cheaply
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
        key = (kind, value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            if len(_TAGS) >= _TAGS_MAX:
                _TAGS.clear()
            tag = _TAGS[key] = super().resolve(kind, value, implicit)
        return tag

ALIAS_BUDGET = 10_000  # nodes reached again through aliases, per front matter
MAX_INT_DIGITS = 18  # larger integers stay text: no JSON reader or store agrees on them
MERGE = "tag:yaml.org,2002:merge"


def compose(text: str) -> yaml.Node | None:
    """The front matter's node graph (aliases not expanded). Raises yaml.YAMLError."""
    loader = Loader(text)  # yaml.compose without its wrapper: 10% of this call, once per file of a sync
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


def expansion_over(node: yaml.Node, budget: int = ALIAS_BUDGET) -> yaml.Node | None:
    """The alias target that takes expansion past `budget` (also catches recursive anchors), else None."""
    seen: set[int] = set()
    stack = [node]
    again = 0
    while stack:
        n = stack.pop()
        if id(n) in seen:
            again += 1
            if again > budget:
                return n
        else:
            seen.add(id(n))
        value = n.value
        if isinstance(value, list):
            if isinstance(n, yaml.MappingNode):
                for k, v in value:
                    stack.append(k)
                    stack.append(v)
            else:
                stack.extend(value)
    return None


def duplicate_keys(node: yaml.MappingNode) -> list[tuple[yaml.Node, str]]:
    """(key node, key) for each key written again in one mapping (merge keys `<<` aside)."""
    seen: set[str] = set()
    out = []
    for k, _ in node.value:
        if isinstance(k, yaml.ScalarNode) and k.tag != MERGE:
            if k.value in seen:
                out.append((k, k.value))
            seen.add(k.value)
    return out


class Constructor(SafeConstructor):
    """SafeConstructor whose value errors are YAML errors with a mark (never a bare ValueError)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        if isinstance(node, yaml.MappingNode):
            for k, key in duplicate_keys(node):
                raise ConstructorError(None, None, f"duplicate key {key!r}", k.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date | dt.datetime:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise ConstructorError(None, None, f"{node.value!r} is not a real date or time",
                                   node.start_mark) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | str:  # type: ignore[override]
        if len(node.value) > MAX_INT_DIGITS and sum(c.isdigit() for c in node.value) > MAX_INT_DIGITS:
            return str(node.value)
        return super().construct_yaml_int(node)


Constructor.add_constructor("tag:yaml.org,2002:timestamp", Constructor.construct_yaml_timestamp)
Constructor.add_constructor("tag:yaml.org,2002:int", Constructor.construct_yaml_int)


def construct(node: yaml.Node) -> Any:
    """One value, fully built. Raises yaml.YAMLError (bad date, unknown tag, duplicate key, ...)."""
    # The constructor alone: a whole loader (with a C parser) per value cost twice as much.
    return Constructor().construct_document(node)
