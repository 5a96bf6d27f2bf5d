"""Publishing into a live site folder: whole pages only (temp file + rename), stale files pruned after a build.

`kb serve` answers from the site folder while a build writes into it, so a reader must never see half a page,
and the first build of a process keeps the previous run's pages in place (served meanwhile) instead of
emptying the folder first; what that build did not write and does not list is removed at its end.
"""
from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import mkdocs.utils


def write_atomic(content: bytes, output_path: str) -> None:
    """`mkdocs.utils.write_file`, but readers see the old file or the new one, never a part."""
    folder, name = os.path.split(output_path)
    # One writer of a path at a time per thread: the temp name needs no random part (mkstemp's costs a
    # thousand local graph files after an edit near a hub a tenth of their writing)
    tmp = os.path.join(folder, f".kb-{os.getpid()}-{threading.get_ident()}-{name[:80]}.tmp")
    # no symlink followed where a fixed name is opened (mkstemp's O_EXCL gave that before)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, 0o644)  # whatever the umask: the site is served (and maybe copied) as ordinary files
        finally:
            os.close(fd)
        os.replace(tmp, output_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def install_atomic_writes() -> None:
    """Make MkDocs (and every plugin writing through its helper) publish pages atomically."""
    mkdocs.utils.write_file = write_atomic


def prune_stale(site_dir: str | Path, started_ns: int, keep: Iterable[str]) -> list[str]:
    """Remove files of `site_dir` this build neither wrote (mtime before `started_ns`) nor lists in `keep`
    (site-relative paths); returns the removed paths. Empty folders left behind go too."""
    root = Path(site_dir)
    keep = set(keep)
    removed: list[str] = []
    for folder, _dirs, names in os.walk(root, topdown=False):
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            try:
                if rel in keep or path.stat().st_mtime_ns >= started_ns:
                    continue
                path.unlink()
                removed.append(rel)
            except OSError:
                continue
        if folder != str(root):
            with contextlib.suppress(OSError):
                os.rmdir(folder)  # only when empty
    return sorted(removed)
