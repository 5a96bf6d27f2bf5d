"""The store interface: entries, the edges they own, files that failed, and a revision."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

# An entry record is a plain JSON-able dict (see kbsync.models.EntryRecord for the keys).
Record = dict[str, Any]


@dataclass(frozen=True)
class FileState:
    """What the store remembers about a file, for the stat fast path."""

    path: str
    slug: str | None
    mtime_ns: int
    size: int
    hash: str


class Edge(NamedTuple):
    """One link owned by its source entry; dst is None when the link is broken.

    A NamedTuple, not a dataclass: a cold sync makes ~7 per entry, and a tuple is built, read and
    pickled several times faster (raw edges cross process boundaries as plain tuples in this order)."""

    src: str
    dst: str | None
    kind: str
    raw: str
    key: str  # lowercased lookup key of the raw target, so renames re-resolve only what they touch
    line: int = 0
    anchor: str | None = None
    label: str | None = None
    attachment: bool = False
    ambiguous: bool = False
    target: str = ""  # the target as written (without anchor), to re-resolve after renames
    md: bool = False  # a standard Markdown link (resolved relative to its file first)
    seq: int = 0  # order within the source entry (chapter order for kind "chapter")


@dataclass
class Batch:
    """Everything one sync commits at once, or not at all."""

    upserts: list[Record] = field(default_factory=list)  # full entry records (without backlinks)
    edges: dict[str, list[Edge]] = field(default_factory=dict)  # src slug -> its complete new edge list
    deletes: list[str] = field(default_factory=list)  # slugs
    files: list[FileState] = field(default_factory=list)  # upserted file states
    forget_files: list[str] = field(default_factory=list)  # paths no longer present
    problems: dict[str, list[Record]] = field(default_factory=dict)  # path -> file-level problems ([] clears)
    replace_all: bool = False  # `kb sync --full`: drop everything first, in the same transaction

    def empty(self) -> bool:
        return not (self.replace_all or self.upserts or self.edges or self.deletes or self.files or self.forget_files or self.problems)


class Store(Protocol):
    """What every adapter implements; tests/store/contract.py runs the same suite over each."""

    url: str
    layout: int  # the store layout this code writes

    def revision(self) -> int: ...
    def apply(self, batch: Batch) -> int:
        """Commit the batch atomically and return the new revision (unchanged if the batch is empty)."""
    def file_states(self) -> dict[str, FileState]: ...
    def names(self) -> list[Record]:
        """Light rows for link resolution: slug, path, title, aliases, type, handle, visibility."""
    def get(self, slug: str) -> Record | None:
        """The full record with `links`, `chapters`, `document` and public-only `backlinks` attached."""
    def entries(self, *, type: str | None = None, tag: str | None = None) -> Iterator[Record]:
        """Full records (as `get`), sorted by slug; tag matches case-insensitively."""
    def records(self) -> Iterator[Record]:
        """Stored records as written by sync (no links/backlinks attached), sorted by slug: the cheap bulk read."""
    def schema_version(self) -> int:
        """The layout version the stored data was written with (`kb migrate` brings it to the current one)."""
    def migrate(self) -> bool:
        """Bring an older layout to the current one (the index is rebuilt from the files); True if it did."""
    def edges_from(self, slugs: Iterable[str] | None = None) -> Iterator[Edge]: ...
    def edges_to(self, slug: str) -> list[Edge]: ...
    def edges_with_keys(self, keys: Iterable[str]) -> list[Edge]: ...
    def problems(self) -> dict[str, list[Record]]: ...
    def close(self) -> None: ...
