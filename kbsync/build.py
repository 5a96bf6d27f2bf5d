"""Per-file work for a sync: read, parse, derive, and turn the result into a record + raw edges."""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .derive import Options, derive
from .discover import read_inside
from .models import Problem, visibility_of
from .parse import Parsed, content_hash, parse_bytes
from .paths import slugify, stem_of
from .permalink import entry_url
from .resolve import lookup_key
from .store.base import Edge

# Per-file time budget for parse + derive. Work is bounded by design (linear patterns, line and link
# caps); this is the backstop that turns anything we missed into one reported file, not a stalled sync.
FILE_SECONDS = 20.0
WATCH_BYTES = 32 * 1024  # smaller files finish in milliseconds whatever they hold; arming a timer costs ~15 us


class Overtime(Exception):
    """A file's parse + derive ran past FILE_SECONDS."""


def _overtime(signum: int, frame: object) -> None:
    raise Overtime


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Raise Overtime in the block after `seconds` (SIGALRM: main thread of a process only, else no-op)."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, _overtime)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def read_and_build(job: tuple[str, str, int, Options]) -> tuple[str, str, dict[str, Any] | None, list[Edge], list[Problem]]:
    """(path, abs, max_bytes, options) → (path, hash, record or None, raw edges, file problems)."""
    path, abs_path, max_bytes, options = job
    try:
        data = read_inside(abs_path, path)  # the content boundary: nothing outside, no FIFO or device
    except OSError as e:
        return path, "", None, [], [Problem(path=path, line=0, level="error", code="unreadable",
                                            message=f"cannot read: {e.strerror}")]
    if len(data) > max_bytes:
        return path, content_hash(data), None, [], [Problem(
            path=path, line=1, level="error", code="too_large",
            message=f"file is {len(data):,} bytes, over the {max_bytes:,}-byte limit "
                    "(KB_MAX_FILE_BYTES); skipped")]
    try:
        with watchdog(FILE_SECONDS if len(data) > WATCH_BYTES else 0):
            parsed = parse_bytes(path, data)
            if not parsed.readable:
                return path, parsed.hash, None, [], parsed.problems
            rec, edges = build_record(parsed, options)
    except Overtime:
        return path, content_hash(data), None, [], [Problem(
            path=path, line=0, level="error", code="too_slow",
            message=f"reading this file took over {FILE_SECONDS:g} s (pathological content?); entry skipped")]
    except Exception as e:  # noqa: BLE001 - one file's bug must never stop the batch (serial or in a worker)
        return path, content_hash(data), None, [], [Problem(
            path=path, line=0, level="error", code="internal",
            message=f"internal error while reading: {type(e).__name__}: {str(e)[:200]}; entry skipped")]
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
        "visibility": visibility_of(bool(meta.get("draft")) or meta.get("publish") is False,
                                    bool(meta.get("private"))),
        "url": entry_url(parsed, slug), "date": meta.get("date"), "fields": parsed.fields,
        "headings": d["headings"], "text": d["text"], "word_count": d["word_count"], "keywords": d["keywords"],
        "blocks": d["blocks"],
        "handle": (handle or stem_of(parsed.path)) if etype == "person" else None,
        "listed_chapters": meta.get("chapters"), "field_lines": parsed.lines,
        "problems": parsed.problems, "hash": parsed.hash,
    }
    rec.update({k: d[k] for k in ("tasks", "inline_fields") if d.get(k)})  # read by queries (kbsync.query)
    # Positional: keyword construction of a NamedTuple costs twice as much, and this runs once per link.
    edges = [Edge(slug, None, r["kind"], r["raw"], lookup_key(r["target"]) if r["target"] else "", r["line"],
                  r.get("anchor"), r.get("label"), False, (), r["target"], r.get("md", False))
             for r in (*d["raw_links"], *d["raw_relations"], *d["raw_mentions"])]
    return rec, edges
