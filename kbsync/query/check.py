"""`kb check` for queries: every query block that cannot run, as a problem at `path:line`."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..models import Problem
from .bases import run_base
from .blocks import JS_MESSAGE, find_blocks
from .engine import run
from .pages import PageSet
from .values import QueryError

AT_LINE = re.compile(r"at line (\d+), column \d+")


def query_problems(records: Iterable[Mapping[str, Any]], content_dir: Path | str) -> list[Problem]:
    """Parse and run every ```dataview and ```base block (as the owner, so drafts' queries are checked too)."""
    records = list(records)
    out: list[Problem] = []
    pages: PageSet | None = None
    root = Path(content_dir)
    for rec in records:
        try:
            text = (root / rec["path"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the sync already reported unreadable files
        for b in find_blocks(text):
            line = b.line
            if b.lang == "dataviewjs":  # not wrong, only not run here: a warning
                out.append(Problem(path=rec["path"], line=line, level="warning", code="query",
                                   message=f"dataviewjs query: {JS_MESSAGE}"))
                continue
            try:
                pages = pages or PageSet(records, "owner")
                if b.lang == "base":
                    run_base(b.text, pages, viewer="owner", this=rec["slug"])
                else:
                    run(b.text, pages, viewer="owner", this=rec["slug"])
            except QueryError as e:
                m = AT_LINE.search(str(e))
                if m:
                    line = b.line + int(m.group(1)) - 1
                out.append(Problem(path=rec["path"], line=line, level="error", code="query",
                                   message=f"{b.lang} query: {e}"))
    for base_file in sorted(root.rglob("*.base")):  # .base files are pages of their own on the site
        rel = base_file.relative_to(root).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        try:
            pages = pages or PageSet(records, "owner")
            run_base(base_file.read_text(encoding="utf-8"), pages, viewer="owner")
        except (OSError, UnicodeDecodeError) as e:
            out.append(Problem(path=rel, line=1, level="error", code="query", message=f"base: cannot read: {e}"))
        except QueryError as e:
            m = AT_LINE.search(str(e))
            out.append(Problem(path=rel, line=int(m.group(1)) if m else 1, level="error", code="query",
                               message=f"base: {e}"))
    return out
