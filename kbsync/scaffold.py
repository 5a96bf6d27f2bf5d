"""`kb init` and `kb new`: create a knowledge base or an entry from small templates."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from .discover import discover
from .parse import parse_bytes

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


def new_entry(content: Path, type: str, title: str) -> Path:
    """Create `<folder>/<title>.md`; the folder is where entries of that type mostly live already."""
    folders: Counter[str] = Counter()
    for rel, found in discover(content).entries.items():
        if Path(found.abs).stat().st_size < 65536:
            meta = parse_bytes(rel, Path(found.abs).read_bytes()).meta
            if meta.get("type", "note") == type:
                folders[rel.rsplit("/", 1)[0] if "/" in rel else ""] += 1
    folder = folders.most_common(1)[0][0] if folders else ("" if type == "note" else f"{type}s")
    name = re.sub(r'[\\/:*?"<>|]', "-", title).strip() or "Untitled"
    path = Path(content) / folder / f"{name}.md"
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    type_line = "" if type == "note" else f"type: {type}\n"
    path.write_text(f"---\ntitle: {title!r}\n{type_line}date: {dt.date.today().isoformat()}\ntags: []\n---\n\n",
                    encoding="utf-8")
    return path
