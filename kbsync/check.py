"""`kb check`: every problem in the knowledge base as `path:line: level: message`."""
from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import unquote

from .anchors import anchor_problem
from .derive.spans import split_wikilink
from .models import Problem
from .schema import load_schemas
from .store.base import Store


def collect(store: Store, content_dir: Any = None) -> list[Problem]:
    """File problems, entry problems (front matter, schema), broken and ambiguous links, relation types."""
    out: list[Problem] = [p for probs in store.problems().values() for p in probs]  # type: ignore[misc]
    by_slug = {r["slug"]: r for r in store.names()}
    schemas = load_schemas(content_dir) if content_dir is not None else None
    out += schemas.problems if schemas else []
    entries = list(store.entries())
    full = {r["slug"]: r for r in entries}
    records = entries
    for rec in entries:
        out += rec.get("problems", [])
        rel_types = schemas.relations.get(rec["type"], {}) if schemas else {}
        for link in rec["links"]:
            if link["kind"] == "mention":
                continue
            bad_anchor = anchor_problem(rec, link, full.get(link["target"]) if link["target"] else None)
            out += [bad_anchor] if bad_anchor else []
            if link["target"] is None and (name := missing_attachment(link["raw"])):
                out.append(Problem(path=rec["path"], line=link["line"], level="error", code="missing_attachment",
                                   message=f"attachment not found: {name} ({link['raw']})"))
            elif link["target"] is None:
                what = "chapter" if link["kind"] == "chapter" else "link"
                out.append(Problem(path=rec["path"], line=link["line"], level="error", code="broken_link",
                                   message=f"broken {what} {link['raw']}: no entry or attachment matches"))
            elif link.get("ambiguous"):
                out.append(_ambiguous(rec, link))
            elif link["kind"] in rel_types and rel_types[link["kind"]]:
                target_type = by_slug.get(link["target"], {}).get("type")
                if target_type not in rel_types[link["kind"]]:
                    out.append(Problem(path=rec["path"], line=link["line"], level="error", code="schema",
                                       message=f"`{link['kind']}`: {link['raw']} is a {target_type}, expected "
                                               + " or ".join(rel_types[link["kind"]])))
    if content_dir is not None:
        from .query.check import query_problems  # lark is imported only when checking

        out += query_problems(store.entries(), content_dir)
    out += duplicate_warnings(records)
    return sorted(out, key=lambda p: (p["path"], p["line"], p["code"]))


def _title_line(rec: dict[str, Any]) -> int:
    """Where the title is written: its front-matter key, else the first `# H1`, else line 1."""
    line = (rec.get("field_lines") or {}).get("title")
    h1 = [h["line"] for h in rec.get("headings") or [] if h.get("level") == 1]
    return int(line or (h1[0] if h1 else 1))


def duplicate_warnings(records: list[dict[str, Any]]) -> list[Problem]:
    """`path:line: warning: possible duplicate of other/path.md (title 94%, body 0.87)`, on both entries.

    The owner's tool: drafts and private entries are compared too (`not_duplicate_of` silences a pair)."""
    from .discovery.duplicates import find
    from .visibility import OWNER

    by = {r["slug"]: r for r in records}
    return [Problem(path=by[slug]["path"], line=_title_line(by[slug]), level="warning", code="duplicate",
                    message=f"possible duplicate of {by[x['slug']]['path']} ({x['reason']})")
            for slug, rows in find(records, viewer=OWNER).items() for x in rows]


def unlinked_mentions(store: Store, content_dir: Any) -> list[str]:
    """`kb check --suggest-links`: `path:line: unlinked mention of Title (other/path.md)`, public entries only."""
    from .discovery.unlinked import find

    records = list(store.records())
    by = {r["slug"]: r for r in records}
    rows = [(by[x["source"]]["path"], x["line"], by[t]["title"], by[t]["path"])
            for t, xs in find(records, content_dir).items() for x in xs]
    return [f"{src}:{line}: unlinked mention of {title} ({path})" for src, line, title, path in sorted(rows)]




def missing_attachment(raw: str) -> str | None:
    """The file name a broken link points to when it names a file other than an entry (`[[plan.pdf]]`)."""
    raw = raw.strip()
    if raw.startswith(("[[", "![[")):
        target = split_wikilink(raw.lstrip("!")[2:-2])[0]
    elif raw.endswith(")") and "](" in raw:
        dest = raw[raw.rindex("](") + 2:-1].strip()
        dest = dest[1:dest.find(">")] if dest.startswith("<") else (dest.split() or [""])[0]  # `<a b.png>` or `x.png "t"`
        target = unquote(dest.partition("#")[0])
    else:
        return None
    ext = posixpath.splitext(target.rstrip("/"))[1].lower()
    return target if ext and ext != ".md" else None


def _ambiguous(rec: dict[str, Any], link: dict[str, Any]) -> Problem:
    """The other candidates come from the stored resolution (sync kept them), never from re-resolving."""
    raw = link["raw"]
    others = ", ".join(link["ambiguous"])
    return Problem(path=rec["path"], line=link["line"], level="warning", code="ambiguous_link",
                   message=f"ambiguous link {raw}: chose {link['target']} (closest), also matches {others}")


def format_problem(p: Problem) -> str:
    return f"{p['path']}:{p['line']}: {p['level']}: {p['message']}"
