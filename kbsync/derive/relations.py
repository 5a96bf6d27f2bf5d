"""raw_relations: front-matter fields whose values are wikilinks (`related: ["[[Squat]]"]`) are typed edges."""
from typing import Any

from .context import Ctx
from .links import anchor_id
from .spans import WIKILINK, split_wikilink


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def derive(ctx: Ctx) -> list[dict[str, Any]]:
    out = []
    for key, value in ctx.parsed.fields.items():
        for text in _strings(value):
            for m in WIKILINK.finditer(text):
                target, anchor, label = split_wikilink(m.group(1))
                out.append({"kind": key, "target": target, "anchor": anchor_id(anchor), "label": label,
                            "raw": m.group(0), "line": ctx.parsed.lines.get(key, 1), "md": False})
    return out
