"""The site's read model: every record from the store, what is public, and URL helpers."""
from __future__ import annotations

import json
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from kbsync.gcpause import gc_paused
from kbsync.paths import slug_segment
from kbsync.resolve import Resolver
from kbsync.visibility import PUBLIC, can_see

from .compact import compact, repack
from .loadfork import load_forked, run_forked

Record = dict[str, Any]
RELATION_SKIP = {"link", "embed", "mention", "chapter"}  # chapters: shown as the document TOC


def default_store_url(docs_dir: str | Path) -> str:
    return f"sqlite:///{Path(docs_dir).resolve().parent / '.kb' / 'kb.sqlite'}"


def sync_and_load(docs_dir: str, store_url: str | None, *, sync: bool) -> tuple[list[Record], int, list[str]]:
    """Sync the content dir into the store (when asked); all records, the revision and the stored attachments.
    The sync and the load each in a forked process when this one can fork (site_plugins/loadfork.py), else here."""
    url = store_url or default_store_url(docs_dir)
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    if sync and run_forked(lambda: _sync_and_load(docs_dir, url, sync=True, dense=False, load=False)):
        sync = False  # synced in a process of its own: the load's process below does not hold the sync's memory too
    got = load_forked(lambda: _texts_last(*_sync_and_load(docs_dir, url, sync=sync, dense=False)))  # pickled back
    return _texts_in(*got) if got is not None else _sync_and_load(docs_dir, url, sync=sync, dense=True)


def _texts_last(records: list[Record], revision: int, attachments: list[str]) -> tuple[Any, ...]:
    """The load's result with every record's `text` moved after all the records (None in its place): read back,
    the texts land together in memory, so that a build that holds them out later (site_plugins/textpack.py)
    frees whole pages, not holes between records."""
    texts = []
    for r in records:
        if "text" in r:
            texts.append(r["text"])
            r["text"] = None
    return records, revision, attachments, texts


def _texts_in(records: list[Record], revision: int, attachments: list[str],
              texts: list[Any]) -> tuple[list[Record], int, list[str]]:
    """`_texts_last` undone: each text back in its record, in its place among the record's keys."""
    it = iter(texts)
    for r in records:
        if "text" in r:
            r["text"] = next(it)
    return records, revision, attachments


def _sync_and_load(docs_dir: str, url: str, *, sync: bool, dense: bool,
                   load: bool = True) -> tuple[list[Record], int, list[str]]:
    from kbsync.store import open_store

    store = open_store(url)
    try:
        if sync:
            from kbsync.sync import sync_content

            sync_content(Path(docs_dir), store)
        if not load:
            return [], 0, []
        # Loading every record allocates ~100 containers an entry and no cycles: the cyclic GC would rescan
        # the growing heap again and again (1.5 s instead of 0.6 s at 10,000 entries).
        with gc_paused():
            records = compact(_entries(store))  # held all build long: shared values
            records = repack(records) if dense else records  # in dense memory
        return records, store.revision(), stored_attachments(store)
    finally:
        store.close()


def _entries(store: Any) -> Iterable[Record]:
    """The store's records; a SQLite store's read as they are assembled (kbsync/store/sqlite_load.py: at 100,000
    entries ~800 MB less at the load's peak than reading every row and edge first)."""
    from kbsync.store.sqlite import SQLiteStore
    from kbsync.store.sqlite_load import stream_entries

    return stream_entries(store) if isinstance(store, SQLiteStore) else store.entries()


def stored_attachments(store: Any) -> list[str]:
    """The attachments sync found (file states without an entry), so links resolve against what sync saw."""
    from kbsync.discover import is_entry

    return sorted(p for p, f in store.file_states().items() if f.slug is None and not is_entry(p))


def tag_url(tag: str) -> str:
    """Site URL (relative to the root, no leading slash) of a tag page; nested tags nest."""
    return "tags/" + "/".join(slug_segment(p) for p in tag.split("/") if p) + "/"


def type_url(kind: str) -> str:
    return f"types/{slug_segment(kind)}/"


def relative(url: str, page_url: str) -> str:
    """Relative href from a directory page URL (`a/b/`) to a site URL (`c/` or `img/x.png`)."""
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"
    if not base or base == "./":
        return url or "./"
    to, frm = [p for p in url.split("/") if p], [p for p in base.split("/") if p]
    if "." in to or ".." in to or "." in frm or ".." in frm:  # not a clean site URL: let posixpath normalise
        rel = posixpath.relpath("/" + url, "/" + base)
    else:  # what relpath computes, without its abspath calls (a large site asks this ~50,000 times a build)
        i = 0
        while i < len(to) and i < len(frm) and to[i] == frm[i]:
            i += 1
        rel = "/".join([".."] * (len(frm) - i) + to[i:]) or "."
    if (url.endswith("/") or not url) and not rel.endswith("/"):
        rel += "/"
    return rel


@dataclass
class SiteIndex:
    """Records keyed by slug and path, the public subset, tags and types; built once per build."""

    records: dict[str, Record]
    revision: int = 0
    attachments: set[str] = field(default_factory=set)
    by_path: dict[str, Record] = field(init=False)
    public: set[str] = field(init=False)
    held_texts: Any = field(default=None, init=False, repr=False, compare=False)  # site_plugins/textpack.py

    def __post_init__(self) -> None:
        self.by_path = {r["path"]: r for r in self.records.values()}
        self.public = {s for s, r in self.records.items() if can_see(r, PUBLIC)}

    @cached_property
    def resolver(self) -> Resolver:
        """For text sync never resolved (raw HTML hrefs): links render from their stored resolution instead."""
        return Resolver.from_records(self.records.values(), self.attachments)

    @classmethod
    def from_records(cls, records: Iterable[Record], revision: int = 0, attachments: Iterable[str] = ()) -> SiteIndex:
        return cls({r["slug"]: r for r in records}, revision, set(attachments))

    @cached_property
    def faces(self) -> dict[str | None, tuple[Any, ...]]:
        """slug -> what other pages show of the entry: title, visibility, document, type."""
        return {s: (s, r.get("title"), r.get("visibility"), r.get("document"), r.get("type"))
                for s, r in self.records.items()}

    def page_inputs(self) -> list[tuple[Any, ...]]:
        """Everything the tag, type and home pages are made of (they are regenerated only when it changes)."""
        out = []
        for s in sorted(self.public):
            r = self.records[s]
            rel = [(ln.get("kind"), ln.get("target")) for ln in r.get("links") or []
                   if ln.get("kind", "link") not in RELATION_SKIP]
            out.append((s, r["path"], r.get("title"), r.get("type"), r.get("tags"), r.get("fields"), r.get("date"),
                        r.get("updated"), bool(r.get("chapters")), rel, r.get("created")))  # created: tables' dates
        return out

    def is_public(self, slug: str | None) -> bool:
        return slug is not None and slug in self.public

    def title_order(self, slug: str) -> tuple[str, str]:
        """Sort key: by title, then slug (equal titles must not fall back to set order, which varies by process)."""
        return self.title(slug).lower(), slug

    def title(self, slug: str) -> str:
        r = self.records.get(slug) or {}
        return str(r.get("title") or slug)

    def page_url(self, slug: str) -> str:
        rec = self.records.get(slug)  # the stored URL: the path's, or the entry's `permalink`
        return rec["url"].lstrip("/") if rec is not None and rec.get("url") else f"{slug}/"

    def public_records(self) -> list[Record]:
        return [self.records[s] for s in sorted(self.public)]

    def tags(self) -> dict[str, list[str]]:
        """tag -> public slugs carrying it, parents of nested tags include their children's entries."""
        out: dict[str, set[str]] = defaultdict(set)
        for s in self.public:
            for t in self.records[s].get("tags") or []:
                parts = [p for p in str(t).split("/") if p]
                for i in range(1, len(parts) + 1):
                    out["/".join(parts[:i])].add(s)
        return {t: sorted(v, key=self.title_order) for t, v in sorted(out.items())}

    def types(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for s in sorted(self.public, key=self.title_order):
            out[str(self.records[s].get("type") or "note")].append(s)
        return dict(sorted(out.items()))

    def backlinks(self, slug: str) -> dict[str, list[str]]:
        """kind -> public source slugs, from the record's backlinks (public sources only)."""
        out: dict[str, dict[str, None]] = defaultdict(dict)  # kind -> sources (a set: a hub has thousands)
        for b in self.records.get(slug, {}).get("backlinks") or []:
            src = b.get("source")
            if self.is_public(src) and src != slug:
                out[b.get("kind", "link")][src] = None
        order = {"link": 0, "mention": 1, "embed": 2}
        return {k: sorted(v, key=self.title_order)
                for k, v in sorted(out.items(), key=lambda kv: (order.get(kv[0], 3), kv[0]))}

    def relations(self, slug: str) -> dict[str, list[str]]:
        """Typed relations (front-matter fields of wikilinks) to public targets."""
        out: dict[str, list[str]] = defaultdict(list)
        for ln in self.records.get(slug, {}).get("links") or []:
            kind, tgt = ln.get("kind", "link"), ln.get("target")
            if kind not in RELATION_SKIP and self.is_public(tgt) and tgt not in out[kind]:
                out[kind].append(tgt)
        return dict(out)

    def edges(self) -> list[tuple[str, str, str]]:
        """(source, target, kind) between public entries, deduplicated."""
        seen: set[tuple[str, str, str]] = set()
        for s in sorted(self.public):
            for ln in self.records[s].get("links") or []:
                t = ln.get("target")
                if self.is_public(t) and t != s and not ln.get("attachment"):
                    seen.add((s, t, ln.get("kind", "link")))
        return sorted(seen)

    def hidden_only_attachments(self) -> set[str]:
        """Attachments referenced by hidden entries and by no public one: never published."""
        public_refs: set[str] = set()
        hidden_refs: set[str] = set()
        for s, r in self.records.items():
            for ln in r.get("links") or []:
                if ln.get("attachment") and ln.get("target"):
                    (public_refs if s in self.public else hidden_refs).add(ln["target"])
        return hidden_refs - public_refs


def typeahead_json(index: SiteIndex, inbound: Mapping[str, int] | None = None,
                   rows: Mapping[str, tuple[Any, str, list[Any]]] | None = None) -> str:
    """The static typeahead's index (`typeahead.json`, read by kb-typeahead.js when no API answers): every public
    entry as [title, url, type number, inbound public links, aliases, tags], types listed once. Names only, no
    text: ~60 bytes an entry gzipped. `inbound` (slug -> public entries linking to it) and `rows` (public slug ->
    its typeahead_row): kept by an edit's follow-up."""
    types: dict[str, int] = {}
    if rows is None:
        if inbound is None:
            counts: dict[str, int] = defaultdict(int)
            for _, b in {(a, b) for a, b, _ in index.edges()}:
                counts[b] += 1
            inbound = counts
        rows = {s: typeahead_row(index, s, inbound) for s in index.public}
    out = []
    for _order, kind, row in sorted(rows.values(), key=lambda x: x[0]):
        row[2] = types.setdefault(kind, len(types))  # numbered as first met in title order
        out.append(row)
    return json.dumps({"v": 1, "types": list(types), "entries": out}, ensure_ascii=False, separators=(",", ":"))


def typeahead_row(index: SiteIndex, s: str, inbound: Mapping[str, int]) -> tuple[Any, str, list[Any]]:
    """(title order, type, row): an entry's typeahead row, its type's number left to typeahead_json."""
    r = index.records[s]
    row: list[Any] = [index.title(s), index.page_url(s), 0, inbound.get(s, 0)]
    aliases = [str(a) for a in r.get("aliases") or [] if a]
    tags = [str(x) for x in r.get("tags") or [] if x]
    if aliases or tags:
        row.append(aliases)
    if tags:
        row.append(tags)
    return index.title_order(s), str(r.get("type") or "note"), row
