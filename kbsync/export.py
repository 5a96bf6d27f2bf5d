"""Entry JSON: the one public shape of an entry (`kb show --json`, `kb export`, the API)."""
from __future__ import annotations

from typing import Any

INTERNAL = ("listed_chapters", "field_lines")


def entry_json(rec: dict[str, Any]) -> dict[str, Any]:
    """Store record → entry JSON. Unresolved @mentions are plain text, not broken links."""
    out = {k: v for k, v in rec.items() if k not in INTERNAL}
    out["links"] = [link for link in rec.get("links", []) if link["target"] is not None or link["kind"] != "mention"]
    return out
