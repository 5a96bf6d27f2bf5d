"""What an Obsidian vault's own settings (`.obsidian/*.json`, `publish.css`) say about how it publishes."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.plugins.kb")


@dataclass
class Vault:
    """Settings that change what the notes mean or look like (defaults are Obsidian's)."""

    is_vault: bool = False  # the content folder has a `.obsidian/` folder
    strict_line_breaks: bool = False  # Obsidian's default: a single newline is a line break
    templates: list[str] = field(default_factory=list)  # template folders (core Templates, Templater)
    css: list[Path] = field(default_factory=list)  # publish.css, then enabled snippets, in that order


def _json(path: Path) -> dict[str, Any]:
    """A settings file, or {} (missing, or unreadable with a `path:line` warning: the build goes on)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as e:
        log.warning(f"{path}:{e.lineno}: invalid JSON ({e.msg}); using Obsidian's defaults")
        return {}
    except (OSError, UnicodeDecodeError) as e:
        log.warning(f"{path}:1: unreadable ({e}); using Obsidian's defaults")
        return {}
    if not isinstance(data, dict):
        log.warning(f"{path}:1: expected a JSON object; using Obsidian's defaults")
        return {}
    return data


def _folder(value: Any) -> str | None:
    return value.strip().strip("/") or None if isinstance(value, str) else None


def read_vault(docs_dir: str | Path) -> Vault:
    """Read the vault settings under `docs_dir` (a folder without `.obsidian/` gets Obsidian's defaults)."""
    root = Path(docs_dir)
    conf = root / ".obsidian"
    app = _json(conf / "app.json")
    templates = [f for f in (_folder(_json(conf / "templates.json").get("folder")),
                             _folder(_json(conf / "plugins" / "templater-obsidian" / "data.json")
                                     .get("templates_folder"))) if f]
    css = [root / "publish.css"] if (root / "publish.css").is_file() else []
    snippets = _json(conf / "appearance.json").get("enabledCssSnippets") or []
    for name in snippets if isinstance(snippets, list) else []:
        path = conf / "snippets" / f"{name}.css"
        if isinstance(name, str) and path.is_file():
            css.append(path)
    return Vault(is_vault=conf.is_dir(), strict_line_breaks=app.get("strictLineBreaks") is True,
                 templates=list(dict.fromkeys(templates)), css=css)
