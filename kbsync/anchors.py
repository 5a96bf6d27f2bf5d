"""Broken `#Heading` and `#^block` anchors of resolved links: warnings for `kb check`, a test for the site."""
from __future__ import annotations

from typing import Any

from .models import Problem


def has_anchor(rec: dict[str, Any], anchor: str) -> bool:
    """Does the entry `rec` have this heading anchor (as toc makes them) or `^block` id?"""
    if anchor.startswith("^"):
        if "blocks" not in rec:  # stored before block ids were derived: unknown, not broken
            return True
        return any(b["id"] == anchor[1:] for b in rec.get("blocks") or [])
    return any(h["anchor"] == anchor for h in rec.get("headings") or [])


def anchor_problem(rec: dict[str, Any], link: dict[str, Any], target: dict[str, Any] | None) -> Problem | None:
    """A warning when `link` (from `rec`) names an anchor its target entry does not have."""
    anchor = link.get("anchor")
    if not anchor or target is None or has_anchor(target, anchor):
        return None
    what = "block" if anchor.startswith("^") else "heading"
    return Problem(path=rec["path"], line=link["line"], level="warning", code="broken_anchor",
                   message=f"broken {what} anchor in {link['raw']}: {target['path']} has no #{anchor}")
