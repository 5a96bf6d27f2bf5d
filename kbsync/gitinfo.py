"""Git facts about content files: created/updated dates and authors, and what changed since a revision.

Everything comes from a constant number of git calls, never one per file:

* :func:`file_history` runs ONE ``git log --name-status -M -z`` over the content
  dir and walks it newest-first, following renames back to each file's current
  path (a rename keeps the history; an add ends it, so a path deleted and
  re-created starts a new history).
* :func:`changed_since` runs ``git diff --name-status -M -z REV`` (working tree)
  or ``REV HEAD`` (commits only) plus, for the working tree, one
  ``git ls-files --others --exclude-standard`` for untracked files.

Paths are always relative to the content dir, with ``/`` separators, exactly as
git stores them (unicode kept, no quoting: ``-z`` output is never quoted).
Outside a git repository (or without git) :func:`file_history` returns ``{}``
and :func:`changed_since` raises :class:`GitError`, so callers fall back to a
full stat-based sync.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

SEP_COMMIT = "\x1e"
SEP_FIELD = "\x1f"


class GitError(RuntimeError):
    """git is missing, the dir is not in a repository, or a revision does not exist."""


@dataclass(frozen=True)
class FileHistory:
    """When a file was first added and last changed (author dates, ISO 8601), and who touched it."""

    created: str
    updated: str
    authors: list[str] = field(default_factory=list)  # names, in order of first contribution

    def as_record_fields(self) -> dict[str, object]:
        """The `created`/`updated`/`authors` keys of an EntryRecord."""
        return {"created": self.created, "updated": self.updated, "authors": list(self.authors)}


@dataclass(frozen=True)
class ChangeSet:
    """Content-relative paths that differ from a revision."""

    changed: list[str]  # added or modified (and untracked, when the working tree is included)
    deleted: list[str]
    renamed: list[tuple[str, str]]  # (old, new); not repeated in changed/deleted

    def paths(self) -> list[str]:
        """Every path a sync must look at (both sides of renames), sorted, unique."""
        out = set(self.changed) | set(self.deleted)
        for old, new in self.renamed:
            out.update((old, new))
        return sorted(out)

    def __iter__(self):  # so `sync_content(..., paths=changed_since(...))` works directly
        return iter(self.paths())


def _git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd, env=env, capture_output=True, check=False,
        )
    except FileNotFoundError as exc:  # git not installed
        raise GitError("git is not installed") from exc
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return proc.stdout.decode("utf-8", "surrogateescape")


def _prefix(content_dir: Path) -> tuple[Path, str]:
    """The repository root and the content dir's path inside it ('' or 'a/b/')."""
    content_dir = Path(content_dir).resolve()
    if not content_dir.is_dir():
        raise GitError(f"{content_dir} is not a directory")
    top = _git(content_dir, "rev-parse", "--show-toplevel").strip()
    prefix = _git(content_dir, "rev-parse", "--show-prefix").strip()
    return Path(top), prefix


def _rel(path: str, prefix: str) -> str | None:
    if not prefix:
        return path
    return path[len(prefix):] if path.startswith(prefix) else None


def _name_status(tokens: list[str]):
    """Yield (status letter, old path, new path) from `--name-status -z` tokens."""
    i = 0
    while i < len(tokens):
        status = tokens[i].strip()
        if not status:
            i += 1
            continue
        letter = status[0]
        if letter in "RC":
            yield letter, tokens[i + 1], tokens[i + 2]
            i += 3
        else:
            yield letter, tokens[i + 1], tokens[i + 1]
            i += 2


_NEVER = datetime.min.replace(tzinfo=UTC)


def _instant(iso: str) -> datetime:
    """Sort key of a git date; one odd date (a hostile author name can split a record) sorts first, never raises."""
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return _NEVER
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def file_history(content_dir: str | Path) -> dict[str, FileHistory]:
    """Created/updated author dates and authors for every file with committed history, in one git pass."""
    try:
        top, prefix = _prefix(Path(content_dir))
        out = _git(top, "log", "-z", "--name-status", "-M", "--no-merges",
                   f"--format={SEP_COMMIT}%aI{SEP_FIELD}%an", "--", prefix or ".")
    except GitError:
        return {}
    # alias maps a path as it was at this point in history to its current path (None: history ended)
    alias: dict[str, str | None] = {}
    dates: dict[str, list[str]] = {}  # current path -> author dates, newest first
    authors: dict[str, list[str]] = {}  # current path -> author names, newest first
    for chunk in out.split(SEP_COMMIT):
        if not chunk:
            continue
        header, _, body = chunk.partition("\0")
        date, _, author = header.partition(SEP_FIELD)
        for letter, old, new in _name_status(body.lstrip("\n").split("\0")):
            if letter == "D":
                alias.setdefault(new, None)  # deleted later than anything older: that history is gone
                continue
            current = alias.setdefault(new, new)
            if current is None:
                continue
            dates.setdefault(current, []).append(date)
            authors.setdefault(current, []).append(author)
            if letter == "R":
                alias[new] = None
                alias[old] = current
            elif letter == "A":
                alias[new] = None  # anything older at this path was a different file
    result: dict[str, FileHistory] = {}
    for current, ds in dates.items():
        rel = _rel(current, prefix)
        if rel is None:
            continue
        names = list(dict.fromkeys(reversed(authors[current])))
        ordered = sorted(ds, key=_instant)
        result[rel] = FileHistory(created=ordered[0], updated=ordered[-1], authors=names)
    return result


class HistoryCache:
    """`file_history` for a long-running process: re-read only when HEAD moves.

    Each `get()` costs one `git rev-parse HEAD`; the full log pass runs again only
    after a commit, pull or checkout (uncommitted edits do not change git dates).
    """

    def __init__(self, content_dir: str | Path) -> None:
        self.content_dir = Path(content_dir)
        self._head: str | None = None
        self._data: dict[str, FileHistory] = {}

    def get(self) -> dict[str, FileHistory]:
        try:
            head = _git(self.content_dir.resolve(), "rev-parse", "--verify", "--quiet", "HEAD").strip()
        except GitError:
            head = None  # not a repository, or no commit yet
        if head is None:
            self._head, self._data = None, {}
        elif head != self._head:
            self._data = file_history(self.content_dir)
            self._head = head
        return self._data

    def fields(self, path: str) -> dict[str, object]:
        """`created`/`updated`/`authors` for a content-relative path; {} when git knows nothing of it."""
        hist = self.get().get(path)
        return hist.as_record_fields() if hist else {}


def changed_since(content_dir: str | Path, rev: str, *, include_worktree: bool = True) -> ChangeSet:
    """Paths under the content dir that differ from `rev`.

    With `include_worktree` (the default, what `kb sync --since REV` uses) the comparison
    is REV against the files on disk, uncommitted edits and untracked files included,
    because sync indexes what is on disk. Without it, only commits REV..HEAD count.
    """
    top, prefix = _prefix(Path(content_dir))
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except GitError:
        raise GitError(f"unknown revision {rev!r}: not a commit in {top}") from None
    spec = prefix or "."
    revs = [rev] if include_worktree else [rev, "HEAD"]
    out = _git(top, "diff", "-z", "--name-status", "-M", "--no-ext-diff", *revs, "--", spec)
    changed: set[str] = set()
    deleted: set[str] = set()
    renamed: list[tuple[str, str]] = []
    for letter, old, new in _name_status(out.split("\0")):
        r_old, r_new = _rel(old, prefix), _rel(new, prefix)
        if r_new is None or r_old is None:
            continue
        if letter == "D":
            deleted.add(r_new)
        elif letter == "R":
            renamed.append((r_old, r_new))
        else:  # A, M, C, T
            changed.add(r_new)
    if include_worktree:
        untracked = _git(top, "ls-files", "-z", "--others", "--exclude-standard", "--", spec)
        for path in untracked.split("\0"):
            rel = _rel(path, prefix) if path else None
            if rel:
                changed.add(rel)
    return ChangeSet(changed=sorted(changed), deleted=sorted(deleted), renamed=sorted(renamed))
