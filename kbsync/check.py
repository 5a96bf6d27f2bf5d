"""`kb check`: every problem in the knowledge base as `path:line: level: message`."""
from __future__ import annotations

from typing import Any

from .models import Problem
from .resolve import Resolver
from .schema import load_schemas
from .store.base import Store


def collect(store: Store, content_dir: Any = None) -> list[Problem]:
    """File problems, entry problems (front matter, schema), broken and ambiguous links, relation types."""
    out: list[Problem] = [p for probs in store.problems().values() for p in probs]  # type: ignore[misc]
    names = store.names()
    by_slug = {r["slug"]: r for r in names}
    resolver = Resolver(names)
    schemas = load_schemas(content_dir) if content_dir is not None else None
    out += schemas.problems if schemas else []
    for rec in store.entries():
        out += rec.get("problems", [])
        rel_types = schemas.relations.get(rec["type"], {}) if schemas else {}
        for link in rec["links"]:
            if link["kind"] == "mention":
                continue
            if link["target"] is None:
                what = "chapter" if link["kind"] == "chapter" else "link"
                out.append(Problem(path=rec["path"], line=link["line"], level="error", code="broken_link",
                                   message=f"broken {what} {link['raw']}: no entry or attachment matches"))
            elif link.get("ambiguous"):
                out.append(_ambiguous(rec, link, resolver))
            elif link["kind"] in rel_types and rel_types[link["kind"]]:
                target_type = by_slug.get(link["target"], {}).get("type")
                if target_type not in rel_types[link["kind"]]:
                    out.append(Problem(path=rec["path"], line=link["line"], level="error", code="schema",
                                       message=f"`{link['kind']}`: {link['raw']} is a {target_type}, expected "
                                               + " or ".join(rel_types[link["kind"]])))
    if content_dir is not None:
        from .query.check import query_problems  # lark is imported only when checking

        out += query_problems(store.entries(), content_dir)
    return sorted(out, key=lambda p: (p["path"], p["line"], p["code"]))


def _ambiguous(rec: dict[str, Any], link: dict[str, Any], resolver: Resolver) -> Problem:
    raw = link["raw"]
    target = raw.strip("![]").split("|")[0].split("#")[0]
    r = resolver.resolve(target, rec["path"])
    others = ", ".join(r.ambiguous) if r else "?"
    return Problem(path=rec["path"], line=link["line"], level="warning", code="ambiguous_link",
                   message=f"ambiguous link {raw}: chose {link['target']} (closest), also matches {others}")


def format_problem(p: Problem) -> str:
    return f"{p['path']}:{p['line']}: {p['level']}: {p['message']}"
