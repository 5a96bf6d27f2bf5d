"""Where a cold build's forked discovery leaves its kept state (site_plugins/topics.py `Stored`) for the build
process: beside a SQLite store (else in the temporary folder), named after the build process. A build killed before
it exits (no atexit) leaves its file behind; the next build's start removes every such file whose process is gone."""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from .topics import results_path

PREFIX = "kb-kept-"
_NAME = re.compile(rf"{PREFIX}(\d+)-[^/]*\.pickle")


def folder(store_url: str | None) -> Path:
    """The folder kept files go to: the store's own (`.kb/` of a SQLite store), else the temporary folder."""
    results = results_path(store_url)
    return results.parent if results is not None and results.parent.is_dir() else Path(tempfile.gettempdir())


def create(store_url: str | None, owner: int) -> tuple[int, str]:
    """A new kept file of the build process `owner` (the forked process writes it, the owner reads it): (fd, path)."""
    return tempfile.mkstemp(prefix=f"{PREFIX}{owner}-", suffix=".pickle", dir=folder(store_url))


def sweep(store_url: str | None) -> list[str]:
    """Remove the kept files left by build processes that are gone (killed before their exit); the paths removed."""
    gone: list[str] = []
    where = folder(store_url)
    try:
        names = os.listdir(where)
    except OSError:
        return gone
    for name in names:
        m = _NAME.fullmatch(name)
        if m is None or _alive(int(m.group(1))):
            continue
        path = os.path.join(where, name)
        with contextlib.suppress(OSError):
            os.unlink(path)
            gone.append(path)
    return gone


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
