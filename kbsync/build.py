"""Per-file work for a sync: read, parse, derive, and turn the result into a record + raw edges."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .derive import Options, derive
from .models import Problem, visibility_of
from .parse import Parsed, content_hash, parse_bytes
from .paths import slugify, stem_of
from .permalink import entry_url
from .resolve import lookup_key
from .store.base import Edge


def read_and_build(job: tuple[str, str, int, Options]) -> tuple[str, str, dict[str, Any] | None, list[Edge], list[Problem]]:
    """(path, abs, max_bytes, options) → (path, hash, record or None, raw edges, file problems)."""
    path, abs_path, max_bytes, options = job
    try:
        data = Path(abs_path).read_bytes()
    except OSError as e:
        return path, "", None, [], [Problem(path=path, line=0, level="error", code="unreadable",
                                            message=f"cannot read: {e.strerror}")]
    if len(data) > max_bytes:
        return path, content_hash(data), None, [], [Problem(
            path=path, line=1, level="error", code="too_large",
            message=f"file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit "
                    "(KB_MAX_FILE_BYTES); skipped")]
    parsed = parse_bytes(path, data)
    if not parsed.readable:
        return path, parsed.hash, None, [], parsed.problems
    rec, edges = build_record(parsed, options)
    return path, parsed.hash, rec, edges, []


def build_record(parsed: Parsed, options: Options) -> tuple[dict[str, Any], list[Edge]]:
    d = derive(parsed, options)
    meta = parsed.meta
    slug = slugify(parsed.path)
    etype = str(meta.get("type") or "note")
    handle = parsed.fields.get("handle") if isinstance(parsed.fields.get("handle"), str) else None
    rec: dict[str, Any] = {
        "slug": slug, "path": parsed.path, "title": d["title"], "type": etype,
        "tags": d["tags"], "aliases": meta.get("aliases", []),
        # `publish: false` is Obsidian Publish's way to keep a note off the site: honour it as a draft.
        "visibility": visibility_of(bool(meta.get("draft")) or parsed.fields.get("publish") is False,
                                    bool(meta.get("private"))),
        "url": entry_url(parsed, slug), "date": meta.get("date"), "fields": parsed.fields,
        "headings": d["headings"], "text": d["text"], "word_count": d["word_count"], "keywords": d["keywords"],
        "blocks": d["blocks"],
        "handle": (handle or stem_of(parsed.path)) if etype == "person" else None,
        "listed_chapters": meta.get("chapters"), "field_lines": parsed.lines,
        "problems": parsed.problems, "hash": parsed.hash,
    }
    # Positional: keyword construction of a NamedTuple costs twice as much, and this runs once per link.
    edges = [Edge(slug, None, r["kind"], r["raw"], lookup_key(r["target"]) if r["target"] else "", r["line"],
                  r.get("anchor"), r.get("label"), False, False, r["target"], r.get("md", False))
             for r in (*d["raw_links"], *d["raw_relations"], *d["raw_mentions"])]
    return rec, edges
