"""A fake in-memory store and a loader that turns a gen_corpus tree into entry records (no kbsync needed)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kbsync.store.base import Edge, ReadSnapshot, full_snapshot

TOKEN = "test-token-4f1c"
ORIGIN = "https://site.example"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
_LINK = re.compile(r"!?\[\[([^\]|#]*)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")


class FakeStore:
    """Holds records and edges in dicts; `fail` makes every call raise, like a store that went away."""

    url = "fake://"

    def __init__(self, records: list[dict[str, Any]], edges: list[Edge] | None = None, revision: int = 1):
        self.by_slug = {r["slug"]: r for r in records}
        self.edges = list(edges or [])
        self.rev = revision
        self.fail = False

    def _check(self) -> None:
        if self.fail:
            raise ConnectionError("fake store is down")

    def revision(self) -> int:
        self._check()
        return self.rev

    def entries(self, *, type: str | None = None, tag: str | None = None) -> Iterator[dict[str, Any]]:
        self._check()
        for r in list(self.by_slug.values()):
            if (type is None or r.get("type") == type) and (tag is None or tag in r.get("tags", [])):
                yield r

    def records(self) -> Iterator[dict[str, Any]]:
        self._check()
        return iter(sorted(self.by_slug.values(), key=lambda r: r["slug"]))

    def get(self, slug: str) -> dict[str, Any] | None:
        self._check()
        return self.by_slug.get(slug)

    def edges_from(self, slugs: Iterable[str] | None = None) -> Iterator[Edge]:
        self._check()
        wanted = set(slugs) if slugs is not None else None
        return iter([e for e in self.edges if wanted is None or e.src in wanted])

    def edges_to(self, slug: str) -> list[Edge]:
        self._check()
        return [e for e in self.edges if e.dst == slug]

    def snapshot(self, known: Any = None, max_delta: int = 0, live: Any = ()) -> ReadSnapshot:
        self._check()
        return full_snapshot(self)

    def put(self, record: dict[str, Any]) -> None:
        """Upsert one record and bump the revision, like a sync would."""
        self.by_slug[record["slug"]] = record
        self.rev += 1

    def close(self) -> None:
        pass


def record(slug: str, title: str, *, type: str = "note", tags: list[str] | None = None,
           aliases: list[str] | None = None, visibility: str = "public", text: str = "",
           headings: list[str] | None = None) -> dict[str, Any]:
    """A hand-made entry record with the keys the API reads."""
    return {"slug": slug, "path": f"{slug}.md", "title": title, "type": type, "tags": tags or [],
            "aliases": aliases or [], "visibility": visibility, "url": f"/{slug}/", "date": None, "fields": {},
            "headings": [{"level": 2, "text": h, "anchor": h.lower(), "line": 1} for h in headings or []],
            "text": text, "word_count": len(text.split()), "links": [], "backlinks": []}


def load_gen_corpus(out: Path) -> FakeStore:
    """Records and edges from gen_corpus output, using truth.json for what a sync would derive."""
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    slug_of = {p: p[:-3].lower().replace(" ", "-") for p in truth["entries"]}
    records, edges = [], []
    for path, t in truth["entries"].items():
        raw = (out / "content" / path).read_text(encoding="utf-8")
        body = raw.split("\n---\n", 1)[1] if raw.startswith("---") else raw
        heads = [ln.lstrip("#").strip() for ln in body.splitlines() if ln.startswith("#")]
        text = _LINK.sub(lambda m: m.group(1), re.sub(r"^#+ ", "", body, flags=re.M))
        vis = "draft" if t["draft"] else "private" if t["private"] else "public"
        rec = record(slug_of[path], t["title"], type=t["type"], tags=t["tags"], aliases=t["aliases"],
                     visibility=vis, text=text, headings=heads)
        rec["path"] = path
        src = slug_of[path]
        for dst in t["links"]:
            edges.append(Edge(src, slug_of[dst], "link", dst, dst.lower()))
            rec["links"].append({"target": slug_of[dst], "kind": "link", "raw": dst})
        for dst in t["mentions"]:
            edges.append(Edge(src, slug_of[dst], "mention", dst, dst.lower()))
        rec["backlinks"] = [{"source": slug_of[s], "kind": "link"} for s in truth["backlinks"].get(path, [])]
        records.append(rec)
    return FakeStore(records, edges)
