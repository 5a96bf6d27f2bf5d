"""Entry type schemas declared in the content repo (`.kb/types.yaml`), checked with Pydantic."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from .models import Problem

if TYPE_CHECKING:  # pydantic is imported when a content repo declares types (most syncs never need it)
    from pydantic import BaseModel

SCHEMA_FILES = (".kb/types.yaml", ".kb/types.yml")
TYPES: dict[str, Any] = {"str": str, "int": int, "float": float, "bool": bool, "date": str, "list": list,
                         "relation": Any, "any": Any}


@dataclass
class Schemas:
    """Pydantic models per entry type; relation fields remember their target types."""

    models: dict[str, type[BaseModel]] = field(default_factory=dict)
    relations: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # type -> field -> target types
    problems: list[Problem] = field(default_factory=list)

    def validate(self, rec: dict[str, Any]) -> None:
        """Attach schema errors to the record (it stays indexed)."""
        model = self.models.get(rec["type"])
        if model is None:
            return
        from pydantic import ValidationError

        try:
            model.model_validate(rec["fields"])
        except ValidationError as e:
            lines = rec.get("field_lines", {})
            for err in e.errors():
                key = str(err["loc"][0]) if err["loc"] else ""
                where = f"`{key}`" if key else "front matter"
                rec["problems"].append(Problem(path=rec["path"], line=lines.get(key, 1), level="error", code="schema",
                                               message=f"{where}: {err['msg']} (type {rec['type']})"))


def _field(spec: Any) -> tuple[Any, Any]:
    if isinstance(spec, str):
        spec = {"type": spec}
    typ = TYPES.get(str(spec.get("type", "any")), Any)
    if spec.get("values"):
        typ = Literal[tuple(spec["values"])]  # type: ignore[misc]
    if spec.get("type") == "list" and spec.get("values"):
        typ = list[Literal[tuple(spec["values"])]]  # type: ignore[misc]
    required = bool(spec.get("required"))
    return (typ, ...) if required else (typ | None, None)


def load_schemas(root: Path) -> Schemas:
    out = Schemas()
    for name in SCHEMA_FILES:
        path = Path(root) / name
        if not path.is_file():
            continue
        from pydantic import ConfigDict, create_model

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            mark = getattr(e, "problem_mark", None)
            out.problems.append(Problem(path=name, line=(mark.line + 1) if mark else 1, level="error",
                                        code="schema_file", message=f"cannot read type schemas: {e}"))
            return out
        for tname, tspec in (data or {}).items():
            fields = (tspec or {}).get("fields", {}) or {}
            out.models[str(tname)] = create_model(  # type: ignore[call-overload]
                f"Type_{tname}", __config__=ConfigDict(extra="allow", strict=False),
                **{str(k): _field(v) for k, v in fields.items()})
            out.relations[str(tname)] = {str(k): _targets(v) for k, v in fields.items()
                                         if isinstance(v, dict) and v.get("type") == "relation"}
        break
    return out


def _targets(spec: dict[str, Any]) -> list[str]:
    t = spec.get("target") or []
    return [t] if isinstance(t, str) else list(t)
