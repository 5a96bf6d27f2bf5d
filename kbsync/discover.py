"""Find entry files and attachments under the content root (hidden folders excluded, symlinks once).

The content folder is a trust boundary: a path whose real location lies outside it (a symlink to
`/etc/passwd`, `..`, `/proc/self/environ`) and anything that is not a regular file (FIFOs, devices,
sockets) is skipped and reported, never read.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .models import Problem

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
SKIP_DIRS = {"node_modules", "__pycache__"}
OUTSIDE = "symlink leads outside the content folder ({target}); skipped, never read"
SPECIAL = "not a regular file (FIFO, device, socket or /proc file); skipped, never read"


class Found(NamedTuple):  # a tuple: a walk makes one per file, and builds it 3x faster than a dataclass
    abs: str
    mtime_ns: int
    size: int


@dataclass
class Discovery:
    entries: dict[str, Found] = field(default_factory=dict)  # content-relative path -> stat
    attachments: dict[str, Found] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class BoundaryError(OSError):
    """A path that must not be read: outside the content folder, or not a regular file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.strerror = message


def is_entry(name: str) -> bool:
    return name.lower().endswith(".md")


def ignored_name(name: str) -> bool:
    """One path segment: hidden (`.git`, `.obsidian`, `.kb`), skipped folders, editor swap and temp files."""
    return name[:1] == "." or name in SKIP_DIRS or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913"


def ignored(rel: str) -> bool:
    """A content-relative path that is not content (any segment ignored)."""
    return any(ignored_name(p) for p in rel.split("/"))


def inside(real: str, real_root: str) -> bool:
    """Is the real path `real` the real root or below it (both already resolved)?"""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _problem(rel: str, code: str, message: str) -> Problem:
    return Problem(path=rel or ".", line=0, level="error", code=code, message=message)


def _link_error(e: OSError) -> str:
    return {errno.ENOENT: "dangling symlink (its target does not exist)", errno.ELOOP: "symlink loop"}.get(
        e.errno or 0, e.strerror or str(e))


def discover(root: Path, *, boundary: Path | None = None) -> Discovery:
    """Walk `root`; nothing whose real path leaves `boundary` (default: `root`) is listed."""
    out = Discovery()
    seen_dirs: set[tuple[int, int]] = set()
    deferred: list[tuple[str, str]] = []  # symlinked folders: walked after every real one, so real paths win
    root = Path(root)
    real_root = os.path.realpath(boundary if boundary is not None else root)

    def walk(abs_dir: str, rel_dir: str) -> None:
        st = os.stat(abs_dir)
        ident = (st.st_dev, st.st_ino)
        if ident in seen_dirs:
            out.problems.append(_problem(rel_dir, "symlink_loop",
                                         "symlinked folder leads back to a folder already indexed; skipped"))
            return
        seen_dirs.add(ident)
        try:
            it = list(os.scandir(abs_dir))  # order does not matter: callers sort paths where it does
        except OSError as e:
            out.problems.append(_problem(rel_dir, "unreadable", f"cannot list folder: {e.strerror}"))
            return
        entries, attachments = out.entries, out.attachments
        prefix = f"{rel_dir}/" if rel_dir else ""
        for d in it:
            name = d.name
            if ignored_name(name):  # parents were checked on the way down
                continue
            rel = prefix + name
            try:
                # Only symlinks can leave the folder (a plain child of an inside folder is inside): resolve those.
                if d.is_symlink() and not inside(real := os.path.realpath(d.path), real_root):
                    out.problems.append(_problem(rel, "outside", OUTSIDE.format(target=real)))
                    continue
                if d.is_dir(follow_symlinks=True):
                    if d.is_symlink():
                        deferred.append((d.path, rel))
                    else:
                        walk(d.path, rel)
                    continue
                st = d.stat(follow_symlinks=True)
            except OSError as e:  # dangling symlink, a symlink loop, permission
                why = _link_error(e) if d.is_symlink() else e.strerror
                out.problems.append(_problem(rel, "unreadable", f"cannot read: {why}; skipped"))
                continue
            if not stat.S_ISREG(st.st_mode):
                out.problems.append(_problem(rel, "special_file", SPECIAL))
                continue
            (entries if is_entry(name) else attachments)[rel] = Found(d.path, st.st_mtime_ns, st.st_size)

    if not inside(os.path.realpath(root), real_root):
        out.problems.append(_problem(".", "outside", OUTSIDE.format(target=os.path.realpath(root))))
    elif root.is_dir():
        walk(str(root), "")
        while deferred:
            walk(*deferred.pop(0))
    return out


def check_inside(abs_path: str, rel: str) -> str:
    """The real path of content file `rel` (at `abs_path`); BoundaryError if it leaves the content folder."""
    real = os.path.realpath(abs_path)
    if real == abs_path:  # absolute, normalised, no symlink on the way: it cannot leave its folder (saves a realpath)
        return real
    tail = "/" + rel
    root = abs_path[:-len(tail)] if rel and abs_path.replace(os.sep, "/").endswith(tail) else None
    if root is not None and not inside(real, os.path.realpath(root)):
        raise BoundaryError(OUTSIDE.format(target=real))
    return real


def stat_one(root: Path, rel: str, problems: list[Problem] | None = None) -> Found | None:
    """Stat one content-relative path (for syncs limited to known changed paths); None: absent or refused.

    A path refused by the boundary (outside the folder, not a regular file) is added to `problems`."""
    p = Path(root) / rel
    try:
        real = check_inside(str(p), rel)
        st = os.stat(real)
    except BoundaryError as e:
        if problems is not None:
            problems.append(_problem(rel, "outside", e.strerror or str(e)))
        return None
    except OSError as e:
        if problems is not None and os.path.islink(p):  # gone files are simply gone; a dangling link is a problem
            problems.append(_problem(rel, "unreadable", f"cannot read: {_link_error(e)}; skipped"))
        return None
    if not stat.S_ISREG(st.st_mode):
        if problems is not None and not stat.S_ISDIR(st.st_mode):
            problems.append(_problem(rel, "special_file", SPECIAL))
        return None
    return Found(str(p), st.st_mtime_ns, st.st_size)


_OPEN = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_proc_fd = os.path.isdir("/proc/self/fd")  # Linux: the real path of an open file in one readlink


def _read_direct(abs_path: str) -> bytes | None:
    """The file's bytes when it is a regular file whose real path is `abs_path` itself; None: check the long way.

    One lstat, open, fstat and readlink instead of a realpath (an lstat and a join per path component,
    8% of a cold sync). lstat follows folder symlinks, so a device reached through one is never opened;
    a symlink on the way shows in the opened file's real path, and then the full check decides."""
    if not _proc_fd or not abs_path.startswith("/"):
        return None
    try:
        if not stat.S_ISREG(os.lstat(abs_path).st_mode):
            return None  # a symlink, FIFO or device: the full check says which, and refuses what it must
        fd = os.open(abs_path, _OPEN | _NOFOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode) or os.readlink(f"/proc/self/fd/{fd}") != abs_path:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def read_inside(abs_path: str, rel: str) -> bytes:
    """Read a content file: only a regular file inside the content folder (BoundaryError, an OSError, if not).

    Checked before opening, then opened non-blocking and checked again with fstat: a FIFO swapped in between
    cannot block the read."""
    data = _read_direct(abs_path)
    if data is not None:
        return data
    real = check_inside(abs_path, rel)
    if not stat.S_ISREG(os.stat(real).st_mode):  # never even open a FIFO or a device
        raise BoundaryError(SPECIAL)
    fd = os.open(real, _OPEN)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BoundaryError(SPECIAL)
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)
