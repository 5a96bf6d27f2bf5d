"""Tags: one value for every door. Equal when casefolded, `a/b` nests under `a`, shown as first spelled."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def key(tag: str) -> str:
    """The folded form two spellings share: no leading `#`, no empty `/` parts, casefolded (`#Ideas/` → `ideas`)."""
    return "/".join(p for p in str(tag).lstrip("#").casefold().split("/") if p)


class Tag:
    """A tag as written, compared by its folded `key`; `Tag("Fitness/Legs") in Tag("fitness")` (nesting)."""

    __slots__ = ("key", "text")

    def __init__(self, text: str) -> None:
        self.text = "/".join(p for p in str(text).lstrip("#").split("/") if p)
        self.key = key(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tag) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __contains__(self, other: Tag | str) -> bool:
        """`b in a`: b is a or nested under it."""
        k = other.key if isinstance(other, Tag) else key(other)
        return k == self.key or k.startswith(self.key + "/")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Tag({self.text!r})"

    def lineage(self) -> list[str]:
        """Its key and its ancestors' keys, outermost first (`a/b/c` → `a`, `a/b`, `a/b/c`)."""
        parts = self.key.split("/")
        return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)] if self.key else []


def keys_with_ancestors(tags: Iterable[str]) -> set[str]:
    """Every folded key an entry with these tags is listed under (its tags and their parents)."""
    out: set[str] = set()
    for t in tags:
        k = str(t).casefold()
        if "/" in k or k.startswith("#"):
            out.update(Tag(t).lineage())
        elif k:  # the common case, without building a Tag (a read-model build indexes every entry's tags)
            out.add(k)
    return out


def matches(tags: Iterable[str], wanted: str) -> bool:
    """Does an entry with `tags` carry `wanted` or a tag nested under it (any case)?"""
    w = Tag(wanted)
    return bool(w.key) and any(Tag(t) in w for t in tags)


def group(tagged: Iterable[tuple[str, Iterable[str]]],
          order: Callable[[str], Any] | None = None) -> dict[str, list[str]]:
    """display tag -> slugs listed under it (nested tags count for their parents too), sorted by folded tag.

    The display form is the first spelling seen: pass entries in slug order for the same answer everywhere
    (parents take the spelling of the first entry whose tag passes through them)."""
    shown: dict[str, str] = {}
    slugs: dict[str, list[str]] = {}
    for slug, tags in tagged:
        for t in tags:
            tag = Tag(t)
            parts = tag.text.split("/")
            for i, k in enumerate(tag.lineage()):
                if k not in shown:  # a child's display extends its parent's, so pages nest the same way
                    shown[k] = parts[0] if i == 0 else f"{shown[k.rsplit('/', 1)[0]]}/{parts[i]}"
                listed = slugs.setdefault(k, [])
                if not listed or listed[-1] != slug:
                    listed.append(slug)
    return {shown[k]: sorted(slugs[k], key=order) if order else slugs[k] for k in sorted(slugs)}
