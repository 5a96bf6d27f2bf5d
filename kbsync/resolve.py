"""Corpus-wide link resolution: the DESIGN.md rules, in one place, table-tested."""
from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from .paths import shared_prefix_len, slugify, stem_of

ENTRY_EXT = ".md"


class Resolved(NamedTuple):  # a tuple: one is made per distinct link target, 3x faster than a dataclass
    slug: str | None  # None for attachments
    path: str
    attachment: str | None = None
    ambiguous: tuple[str, ...] = ()  # the other candidates, when there were several


def strip_md(target: str) -> str:
    return target[:-3] if target[-3:].lower() == ENTRY_EXT else target  # lowers 3 characters, not the target


@lru_cache(maxsize=1 << 16)  # link targets recur (a Zipf law): most calls are a hit
def lookup_key(target: str) -> str:
    """The key an edge is filed under: lowercased last path segment, without `.md`."""
    return strip_md(target.replace("\\", "/")).rstrip("/").rsplit("/", 1)[-1].lower()


def name_keys(row: dict[str, Any]) -> set[str]:
    """Every key under which links may find this entry (stem, title, aliases, handle)."""
    keys = {stem_of(row["path"]).lower()}
    for name in [row.get("title") or "", *(row.get("aliases") or [])]:
        if name:
            keys.add(lookup_key(name))
    if row.get("type") == "person":
        keys.add((row.get("handle") or stem_of(row["path"])).lower())
    return keys


class Resolver:
    """Resolve link targets to entries or attachments, first matching rule wins."""

    def __init__(self, rows: Iterable[dict[str, Any]], attachments: Iterable[str] = ()) -> None:
        self.by_path: dict[str, str] = {}  # path without .md -> path
        self.by_path_ci: dict[str, list[str]] = defaultdict(list)
        self.by_stem: dict[str, list[str]] = defaultdict(list)
        self.by_stem_ci: dict[str, list[str]] = defaultdict(list)
        self.by_name_ci: dict[str, list[str]] = defaultdict(list)
        self.people: dict[str, list[str]] = defaultdict(list)
        self.slug_of: dict[str, str] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        # Links follow a Zipf law: the same targets recur from the same folders. The answer depends only on
        # (target, linking folder, link style), so it is memoised until a name is added or removed.
        self._memo: dict[tuple[str, str, bool], Resolved | None] = {}
        self._memo_any: dict[str, Any] = {}  # wikilink target -> the answer from anywhere, or _DEPENDS on the folder
        for row in rows:
            self.add(row)
        self.attachments = set(attachments)
        self.att_ci: dict[str, list[str]] = defaultdict(list)
        self.att_name: dict[str, list[str]] = defaultdict(list)
        for a in self.attachments:
            self.att_ci[a.lower()].append(a)
            self.att_name[a.rsplit("/", 1)[-1].lower()].append(a)

    def _keys(self, row: dict[str, Any]) -> list[tuple[dict[str, list[str]], str]]:
        path = row["path"]
        bare = strip_md(path)
        stem = bare.rpartition("/")[2]  # stem_of(path), from the path already stripped of .md
        out = [(self.by_path_ci, bare.lower()), (self.by_stem, stem), (self.by_stem_ci, stem.lower())]
        title, aliases = row.get("title"), row.get("aliases")
        if aliases:
            out += [(self.by_name_ci, n) for n in {n.lower() for n in [title or "", *aliases] if n}]
        elif title:  # most entries: a title and no aliases
            out.append((self.by_name_ci, title.lower()))
        if row.get("type") == "person":
            out.append((self.people, (row.get("handle") or stem).lower()))
        return out

    def add(self, row: dict[str, Any]) -> None:
        if self._memo or self._memo_any:
            self._memo.clear()
            self._memo_any.clear()
        path = row["path"]
        self.rows[path] = row
        self.slug_of[path] = row["slug"]
        self.by_path[strip_md(path)] = path
        for table, key in self._keys(row):
            table[key].append(path)

    def remove(self, path: str) -> None:
        self._memo.clear()
        self._memo_any.clear()
        row = self.rows.pop(path, None)
        if row is None:
            return
        self.slug_of.pop(path, None)
        self.by_path.pop(strip_md(path), None)
        for table, key in self._keys(row):
            lst = table.get(key)
            if lst and path in lst:
                lst.remove(path)
                if not lst:
                    del table[key]

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]], attachments: Iterable[str] = ()) -> Resolver:
        return cls(records, attachments)

    # -- the rules ---------------------------------------------------------------------------
    def resolve(self, target: str, source_path: str, *, md_link: bool = False) -> Resolved | None:
        """Resolve `target` as written in the entry at `source_path`; None means broken."""
        if not target:
            return self._resolve(target, source_path, md_link)
        if not md_link:  # a wikilink's answer depends on where it is written only when there are several candidates
            r = self._memo_any.get(target, _MISS)
            if r is _MISS:
                r = self._resolve(target, source_path, md_link)
                if r is not None and r.ambiguous:
                    self._memo[(target, source_path.rpartition("/")[0], md_link)] = r
                    r = _DEPENDS
                self._memo_any[target] = r
            if r is not _DEPENDS:
                return r  # type: ignore[return-value]
        key = (target, source_path.rpartition("/")[0], md_link)
        if key not in self._memo:
            self._memo[key] = self._resolve(target, source_path, md_link)
        return self._memo[key]

    def _resolve(self, target: str, source_path: str, md_link: bool) -> Resolved | None:
        target = target.strip().replace("\\", "/")
        if not target:  # [[#Heading]]: the entry itself
            return self._entry([source_path], source_path) if source_path in self.slug_of else None
        if md_link:
            rel = self._relative(target, source_path)
            if rel:
                return rel
            target = _strip_dots(target)  # as Obsidian does: a relative path that leads nowhere falls back to names
        name = target.rpartition("/")[2]
        dot = name.rfind(".")
        if dot > 0 and name[dot:].lower() != ENTRY_EXT:  # has an extension other than .md
            att = self._attachment(target, source_path)
            if att:
                return att
        bare = strip_md(target).strip("/")
        if "/" in bare:  # rule 1: content-relative path, then a suffix on a folder boundary
            if bare in self.by_path:
                return self._entry([self.by_path[bare]], source_path)
            if bare.lower() in self.by_path_ci:
                return self._entry(self.by_path_ci[bare.lower()], source_path)
            suffix = "/" + bare.lower() + ENTRY_EXT
            cands = [p for p in self.by_stem_ci.get(stem_of(bare).lower(), []) if p.lower().endswith(suffix)]
            if cands:
                return self._entry(cands, source_path)
        for table, key in ((self.by_stem, bare), (self.by_stem_ci, bare.lower())):  # rule 2
            if key in table:
                return self._entry(table[key], source_path)
        for key in (bare.lower(), target.lower()):  # rule 3: title or alias
            if key in self.by_name_ci:
                return self._entry(self.by_name_ci[key], source_path)
        return None

    def person(self, handle: str, source_path: str = "") -> Resolved | None:
        cands = self.people.get(handle.lower())
        return self._entry(cands, source_path) if cands else None

    # -- helpers -----------------------------------------------------------------------------
    def _relative(self, target: str, source_path: str) -> Resolved | None:
        base = "" if target.startswith("/") else posixpath.dirname(source_path)
        path = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
        if path.startswith(".."):
            return None
        if path.lower().endswith(ENTRY_EXT) and strip_md(path) in self.by_path:
            return self._entry([self.by_path[strip_md(path)]], source_path)
        if path in self.attachments:
            return Resolved(None, path, attachment=path)
        return None

    def _attachment(self, target: str, source_path: str) -> Resolved | None:
        """Attachments follow the entry rules: path, path suffix, then file name (closest wins)."""
        t = _strip_dots(target).lower()
        by_name = self.att_name.get(t.rsplit("/", 1)[-1], [])
        cands = self.att_ci.get(t) or [a for a in by_name if a.lower().endswith("/" + t)] or by_name
        if not cands:
            return None
        best = closest(cands, source_path)
        return Resolved(None, best[0], attachment=best[0], ambiguous=tuple(best[1:]))

    def _entry(self, cands: list[str], source_path: str) -> Resolved:
        if len(cands) == 1:  # the common case: no ranking, no candidates to list
            return _new_tuple(Resolved, (self.slug_of[cands[0]], cands[0], None, ()))  # type: ignore[no-any-return]
        best = closest(cands, source_path)
        return Resolved(self.slug_of[best[0]], best[0], None, tuple(best[1:]))


_MISS, _DEPENDS = object(), object()
_new_tuple = tuple.__new__  # skips the NamedTuple's Python-level __new__


def _strip_dots(target: str) -> str:
    """`../../images/x.png` → `images/x.png`; `./a/b` → `a/b`."""
    parts = [p for p in target.split("/") if p not in ("", ".")]
    while parts and parts[0] == "..":
        parts.pop(0)
    return "/".join(parts)


def closest(cands: list[str], source_path: str) -> list[str]:
    """Candidates ordered: longest shared folder prefix, then shortest path, then alphabetical."""
    if len(cands) == 1:
        return cands
    return sorted(set(cands), key=lambda p: (-shared_prefix_len(p, source_path), len(p), p))


def chapter_targets(index_path: str, listed: list[str] | None, folder_paths: Iterable[str]) -> list[str]:
    """Chapter targets of a document index: the `chapters:` list in order, else the folder's files by name."""
    folder = posixpath.dirname(index_path)
    if listed:
        return [posixpath.join(folder, c) if "/" not in c else c for c in listed]
    prefix = folder + "/" if folder else ""
    return sorted(p for p in folder_paths
                  if p.startswith(prefix) and "/" not in p[len(prefix):] and p != index_path)


__all__ = ["Resolved", "Resolver", "chapter_targets", "closest", "lookup_key", "name_keys", "slugify"]
