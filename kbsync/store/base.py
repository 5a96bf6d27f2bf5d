"""The store interface: entries, the edges they own, files that failed, and a revision."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from . import codec

# An entry record is a plain JSON-able dict (see kbsync.models.EntryRecord for the keys).
Record = dict[str, Any]
NAME_KEYS = ("slug", "path", "title", "aliases", "type", "handle", "visibility", "listed_chapters")  # `names()` rows


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
    ambiguous: tuple[str, ...] = ()  # the other candidates' paths, when several matched (closest chosen)
    target: str = ""  # the target as written (without anchor), to re-resolve after renames
    md: bool = False  # a standard Markdown link (resolved relative to its file first)
    seq: int = 0  # order within the source entry (chapter order for kind "chapter")


# A staged edge row (what `Stream.put_edge_rows` takes): the columns a reader fills in first, then the three
# resolution decides, so the parent resolves a raw row by appending `resolved_cols(...)` to it.
EDGE_ROW = ("src", "seq", "kind", "raw", "key", "line", "anchor", "label", "target", "md",
            "dst", "attachment", "ambiguous")


def resolved_cols(dst: str | None, attachment: bool, ambiguous: tuple[str, ...]) -> tuple[Any, ...]:
    """The last three EDGE_ROW columns: dst, attachment as 0/1, the other candidates as JSON ("" for none)."""
    return dst, int(attachment), codec.dumps(list(ambiguous)) if ambiguous else ""


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


READ_HIDDEN_KINDS = ("chapter",)  # structural edges: a snapshot's `edges` leave them out (they are not links)


def _nothing() -> None:
    return None


@dataclass
class ReadSnapshot:
    """What a read model is built from, all at one revision: read `records` to the end first, then `edges`."""

    revision: int
    records: Iterator[Record]  # every stored record, drafts too (the reader applies the visibility rule)
    edges: Iterator[tuple[str, str, str]]  # (src, dst, kind) of resolved links to entries, chapters left out
    hashes: dict[str, str] = field(default_factory=dict)  # slug -> content hash of its file(s)
    delta: bool = False  # True: `records` holds only entries whose hash changed; `deleted` lists the gone
    deleted: list[str] = field(default_factory=list)  # slugs among `live` no longer stored (delta only)
    # delta only: (src, dst, kind) of every resolved link from the given sources and from any source that now
    # links to a changed entry (ordered by source, then position), instead of reading all of `edges`
    edges_of: Callable[[list[str]], Iterator[tuple[str, str, str]]] | None = None
    close: Callable[[], None] = _nothing  # ends the snapshot early (a failed build)


def full_snapshot(store: Any) -> ReadSnapshot:
    """A whole (never incremental) snapshot through `revision`, `records` and `edges_from`: for simple stores."""
    edges = ((e.src, e.dst, e.kind) for e in store.edges_from()
             if e.dst and not e.attachment and e.kind not in READ_HIDDEN_KINDS)
    return ReadSnapshot(store.revision(), store.records(), edges)  # type: ignore[arg-type]


def file_hashes(rows: Iterable[tuple[str | None, str | None]]) -> dict[str, str]:
    """slug -> the hashes of its files, joined ("" when one is unknown: always re-read), from (slug, hash) rows."""
    out: dict[str, str] = {}
    for slug, h in rows:
        if slug is None:
            continue
        out[slug] = "" if not h or out.get(slug) == "" else f"{out[slug]} {h}" if slug in out else h
    return out


def changed_slugs(hashes: dict[str, str], known: dict[str, str], live: Iterable[str],
                  max_delta: int) -> tuple[list[str], list[str]] | None:
    """(changed, deleted) against `known` hashes and the `live` slugs, or None when more than `max_delta` moved."""
    changed = [slug for slug, h in hashes.items() if not h or known.get(slug) != h]
    deleted = [slug for slug in live if slug not in hashes]
    return None if len(changed) + len(deleted) > max_delta else (changed, deleted)


class Stream(Protocol):
    """A staging generation for a full sync: rows go in by chunks, invisible to readers until `commit`.

    `commit` swaps the staged entries and edges in, with the batch's files and problems, all in one
    commit that replaces everything stored (as `Batch.replace_all`); `abort` (or a crash) leaves the
    stored generation as it was, and staging leftovers are removed by the next writer."""

    def put(self, records: list[Record]) -> None:
        """Stage entry records; a record replaces a staged one with the same slug or path."""
    def encode(self, record: Record) -> Any:
        """The staged form of one record; pure (no I/O), so forked readers can make it for the writer."""
    def put_encoded(self, rows: list[Any]) -> None:
        """Stage records made by `encode`; same rules as `put`."""
    def put_edges(self, edges: dict[str, list[Edge]]) -> None:
        """Stage each listed source's complete edge list."""
    def put_edge_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Stage edges as EDGE_ROW tuples (seq numbers each source's edges from 0); same rules as `put_edges`."""
    def commit(self, rest: Batch) -> int:
        """Swap the staged generation in with `rest`'s files and problems; return the new revision."""
    def abort(self) -> None: ...


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
    def snapshot(self, known: dict[str, str] | None = None, max_delta: int = 0,
                 live: Iterable[str] = ()) -> ReadSnapshot:
        """Everything a read model needs at one revision. With `known` (slug -> hash of a previous snapshot)
        and `live` (the slugs a reader holds), only what changed when at most `max_delta` entries did."""
    def stream(self) -> Stream:
        """Start a staging generation that replaces everything when committed (cold and full syncs)."""
    def close(self) -> None: ...
