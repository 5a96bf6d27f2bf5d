"""What an Obsidian vault's own settings (`.obsidian/*.json`, `publish.css`) say about how it publishes."""
from __future__ import annotations

import fnmatch
import json
import logging
import re
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


PREFIX = "assets/kb/vault/"
_CALLOUT_RULE = re.compile(r"\.callout\[data-callout=[\"']?(?P<type>[\w-]+)[\"']?\][^{]*\{(?P<body>[^}]*)\}")
_COLOR = re.compile(r"--callout-color:\s*(?P<rgb>\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3})")


def callout_css(css: str) -> str:
    """Material admonition rules for each `.callout[data-callout=X] { --callout-color: r, g, b }` in vault CSS."""
    out = []
    for m in _CALLOUT_RULE.finditer(css):
        color = _COLOR.search(m.group("body"))
        if not color:
            continue
        kind, rgb = m.group("type").lower(), re.sub(r"\s+", "", color.group("rgb"))
        sel = f".md-typeset .admonition.{kind}, .md-typeset details.{kind}"
        out.append(f"{sel} {{ border-color: rgb({rgb}); }}\n"
                   f".md-typeset .{kind} > .admonition-title, .md-typeset .{kind} > summary "
                   f"{{ background-color: rgba({rgb}, .1); }}\n"
                   f".md-typeset .{kind} > .admonition-title::before, .md-typeset .{kind} > summary::before "
                   f"{{ background-color: rgb({rgb}); }}\n")
    return "".join(out)


class VaultAssets:
    """The vault's own CSS (publish.css, enabled snippets) and the callout colours it sets, as site CSS."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.css: dict[str, str] = {}  # site path → text
        for path in vault.css:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                log.warning(f"{path}:1: unreadable CSS ({e}); skipped")
                continue
            self.css[PREFIX + ("publish.css" if path.name == "publish.css" and path.parent.name != "snippets"
                               else f"snippets/{path.name}")] = text
        callouts = "".join(callout_css(t) for t in self.css.values())
        if callouts:
            self.css[PREFIX + "callouts.css"] = callouts

    def configure(self, config) -> None:  # noqa: ANN001
        present = {str(x) for x in config.extra_css}
        config.extra_css.extend(p for p in self.css if p not in present)

    def files(self, config) -> list[Any]:  # noqa: ANN001
        from mkdocs.structure.files import File

        return [File.generated(config, path, content=text) for path, text in self.css.items()]


# No template folder named in the settings: Obsidian's and Templater's customary folder names.
TEMPLATE_FOLDERS = ("templates", "_templates", "template")


def excluded_paths(paths: list[str], vault: Vault, patterns: list[str]) -> set[str]:
    """Entry paths kept off the site: the vault's template folders, then every `exclude:` glob (Quartz's
    ignorePatterns: `*` crosses folders, a pattern ending in `/` is a folder)."""
    globs = [p.rstrip("/") + "/*" if p.endswith("/") else p for p in patterns]
    out = set()
    for path in paths:
        folders = path.split("/")[:-1]
        if vault.templates:
            hit = any(path.startswith(t + "/") for t in vault.templates)
        else:
            hit = any(f.casefold() in TEMPLATE_FOLDERS for f in folders)
        if hit or any(fnmatch.fnmatchcase(path, g) for g in globs):
            out.add(path)
    return out
