"""`kb init` and `kb new`: create a knowledge base or an entry from small templates."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from .discover import discover
from .parse import parse_bytes
from .paths import slugify, stem_of
from .visibility import visibility_of

# Path separators, what Windows refuses, and what a wikilink to the file would misread (`#` heading, `|` label,
# `^` block, `[]` brackets): the title keeps them, the file name does not.
UNSAFE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f\x7f]')

STARTER = {
    "content/Welcome.md": """---
title: Welcome
tags: [start]
---
# Welcome

This is your knowledge base. Link notes with [[Second Note]], mention people
like @ada, tag with #ideas. Run `kb sync`, then `kb build` or `kb serve`.
""",
    "content/Second Note.md": """---
aliases: [Another Note]
---
# Second Note

Back to [[Welcome]]. See the [[Welcome#Welcome|welcome heading]].
""",
    "content/people/ada.md": """---
title: Ada Lovelace
type: person
---
Ada writes the notes about #engines.
""",
    "content/.kb/types.yaml": """# Entry types and their fields (checked by `kb check`).
person:
  fields:
    email: {type: str}
""",
    "mkdocs.yml": """site_name: My knowledge base
docs_dir: content
theme:
  name: material
plugins:
  - search
  - kb
""",
    "README.md": """# My knowledge base

Notes live in `content/` as Markdown with YAML front matter.

    kb sync      # index the notes (SQLite file in .kb/)
    kb check     # list broken links and invalid entries
    kb serve     # site + search on http://127.0.0.1:8000
""",
    ".gitignore": ".kb/\nsite/\n",
}


def init_kb(directory: Path) -> list[Path]:
    directory = Path(directory)
    clash = [p for p in STARTER if (directory / p).exists()]
    if clash:
        raise FileExistsError(f"{directory} already has {', '.join(clash)}; not overwriting")
    created = []
    for rel, text in STARTER.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return created


def light_entries(content: Path) -> list[dict[str, Any]]:
    """Every entry's path, slug, title, aliases, type and visibility, read from the files (the store may be stale)."""
    out = []
    for rel, found in discover(content).entries.items():
        if Path(found.abs).stat().st_size >= 65536:  # a huge file is no template for a new one
            continue
        meta = parse_bytes(rel, Path(found.abs).read_bytes()).meta
        aliases = meta.get("aliases")
        out.append({"slug": slugify(rel), "path": rel, "title": str(meta.get("title") or stem_of(rel)),
                    "aliases": [str(a) for a in aliases] if isinstance(aliases, list) else [],
                    "type": str(meta.get("type") or "note"),
                    "visibility": visibility_of(meta.get("draft") is True, meta.get("private") is True)})
    return out


def file_name(title: str) -> str:
    """A file stem for `title`: no path separators, characters links or file systems reject, or leading dot."""
    name = UNSAFE.sub("-", " ".join(title.split())).strip(" .-")
    return name[:120].rstrip(" .") or "Untitled"


def entry_path(content: Path, type: str, title: str, entries: list[dict[str, Any]]) -> Path:
    """`<folder>/<title>.md`, the folder being where entries of that type mostly live; refused if taken."""
    folders = Counter(e["path"].rsplit("/", 1)[0] if "/" in e["path"] else "" for e in entries if e["type"] == type)
    folder = folders.most_common(1)[0][0] if folders else ("" if type == "note" else f"{type}s")
    path = Path(content) / folder / f"{file_name(title)}.md"
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    return path


def front_matter(type: str, title: str, fields: dict[str, Any] | None = None) -> str:
    """The new entry's text: YAML the dumper quotes, so any title (quotes, `: `, `#`, newlines, `---`) stays valid."""
    meta: dict[str, Any] = {"title": title}
    if type != "note":
        meta["type"] = type
    meta["date"] = dt.date.today().isoformat()
    meta["tags"] = []
    meta.update(fields or {})
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6) + "---\n\n"


def write_entry(path: Path, type: str, title: str, fields: dict[str, Any] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as f:  # "x": never overwrite a file made meanwhile
        f.write(front_matter(type, title, fields))
    return path


def new_entry(content: Path, type: str, title: str, fields: dict[str, Any] | None = None) -> Path:
    """Create `<folder>/<title>.md` without questions (no schema form, no duplicate check)."""
    return write_entry(entry_path(content, type, title, light_entries(content)), type, title, fields)
