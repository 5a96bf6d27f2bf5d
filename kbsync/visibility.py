"""Visibility: the one rule deciding who may see an entry. It fails closed: any doubt hides."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Visibility = Literal["public", "draft", "private"]
Viewer = Literal["public", "owner", "token"]
# public: the site, the API without a token. token: the API with KB_API_TOKEN (public + private).
# owner: the owner's local tools (`kb export`, `kb show`), which see drafts too.
PUBLIC: Viewer = "public"
TOKEN: Viewer = "token"
OWNER: Viewer = "owner"

_VISIBLE: dict[str, frozenset[str]] = {
    "public": frozenset({"public"}),
    "token": frozenset({"public", "private"}),
    "owner": frozenset({"public", "private", "draft"}),
}


def visibility_of(draft: bool, private: bool) -> Visibility:
    """Draft wins over private: a draft is never served, even with a token."""
    if draft:
        return "draft"
    return "private" if private else "public"


def visibility(entry: Mapping[str, Any] | str | None) -> Visibility:
    """An entry's visibility; a missing or unknown value is a draft (never shown by mistake)."""
    value = entry if isinstance(entry, str) or entry is None else entry.get("visibility")
    return value if value in ("public", "private", "draft") else "draft"  # type: ignore[return-value]


def can_see(entry: Mapping[str, Any] | str | None, viewer: Viewer | str = PUBLIC) -> bool:
    """May `viewer` see this entry (a record, or its visibility string)? Unknown viewers see public only."""
    return visibility(entry) in _VISIBLE.get(viewer, _VISIBLE["public"])
