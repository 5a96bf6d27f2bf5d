"""Which mkdocs.yml `kb build` and `kb serve` use: only one whose docs_dir is the content folder."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("kbsync.site")
_warned: set[tuple[Path, Path]] = set()


class ConfigFileError(ValueError):
    """A mkdocs.yml that cannot be read, as one line: `path:line: message`."""


def read_yml(yml: Path) -> dict[str, Any]:
    """The YAML of a mkdocs.yml, read as MkDocs reads it (`!ENV`, `INHERIT`, python tags); errors name the line."""
    import yaml
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    loader = get_yaml_loader()
    loader.add_constructor("!relative", lambda *_: None)  # resolved by MkDocs later; not needed for docs_dir
    try:
        with yml.open("rb") as fd:
            data = yaml_load(fd, loader)
    except ConfigurationError as e:
        cause = e.__context__
        mark = getattr(cause, "problem_mark", None) or getattr(cause, "context_mark", None)
        if isinstance(cause, yaml.YAMLError) and mark is not None:
            problem = getattr(cause, "problem", None) or str(cause).splitlines()[0]
            ctx, at = getattr(cause, "context", None), getattr(cause, "context_mark", None)
            where = f" ({ctx} at line {at.line + 1})" if ctx and at is not None and at.line != mark.line else ""
            raise ConfigFileError(f"{yml}:{mark.line + 1}: {problem}{where}") from None
        raise ConfigFileError(f"{yml}: {e}") from None
    except OSError as e:
        raise ConfigFileError(f"{yml}: {e.strerror or e}") from None
    if not isinstance(data, dict):
        raise ConfigFileError(f"{yml}:1: a mkdocs.yml is a mapping of settings")
    return data


def mkdocs_yml_for(yml: Path, content: Path) -> Path | None:
    """`yml` when its docs_dir resolves to the content folder; else None (kb's default config) and a warning.

    A neighbouring mkdocs.yml that publishes another folder would build a site of entries with no pages.
    """
    docs = read_yml(yml).get("docs_dir", "docs")
    target = (yml.parent / str(docs)).resolve()
    if target == content.resolve():
        return yml
    key = (yml.resolve(), content.resolve())
    if key not in _warned:
        _warned.add(key)
        log.warning("%s: ignored: its docs_dir %r is %s, not the content folder %s; building with kb's default "
                    "config", yml, str(docs), target, content.resolve())
    return None
