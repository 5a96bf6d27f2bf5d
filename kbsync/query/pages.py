"""Dataview's page model over kb entry records: implicit `file.*` fields plus every front-matter and inline field."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterable, Mapping
from functools import cached_property, lru_cache
from typing import Any

from ..paths import stem_of
from ..resolve import Resolver
from ..visibility import PUBLIC, Viewer, can_see, visibility
from .values import Link, parse_date, type_inline, type_text

FILE_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


@lru_cache(maxsize=8192)  # field names repeat across entries
def canonical(key: str) -> str:
    """Dataview's sanitised field name: `Due Date` is also `due-date`; lookups fold case."""
    return re.sub(r"[^\w\s-]", "", key.strip()).strip().replace(" ", "-").lower()


def tag_closure(tags: Iterable[str]) -> list[str]:
    """`#a/b/c` → `#a/b/c`, `#a/b`, `#a` (Dataview's file.tags), first spelling wins, deduplicated."""
    out: dict[str, str] = {}
    for tag in tags:
        parts = tag.lstrip("#").split("/")
        for i in range(len(parts), 0, -1):
            t = "#" + "/".join(parts[:i])
            out.setdefault(t.lower(), t)
    return list(out.values())


def _date_of(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):  # a file-system time in ns or s
        seconds = value / 1e9 if value > 1e12 else value
        return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)
    return parse_date(value) if isinstance(value, str) else None


class PageSet:
    """Every entry `viewer` may see, as Dataview pages, with the link graph between them."""

    def __init__(self, records: Iterable[Mapping[str, Any]], viewer: Viewer | str = PUBLIC,
                 files: Mapping[str, tuple[int, int]] | None = None) -> None:
        """records: entry records (store.entries()); files: path → (mtime_ns, size), the store's file states."""
        self.viewer = viewer
        recs = [r for r in records if can_see(r, viewer)]
        self.records = {r["slug"]: r for r in recs}
        self.visibility = {r["slug"]: visibility(r) for r in recs}
        self._resolver: Resolver | None = None
        files = files or {}
        self.links = {slug: self._link_of(r) for slug, r in self.records.items()}
        inlinks: dict[str, dict[str, None]] = {slug: {} for slug in self.records}  # ordered sets: hubs have thousands
        self.outlinks: dict[str, list[Link]] = {}
        for slug, r in self.records.items():
            outs: list[Link] = []
            seen: set[str] = set()
            for link in r.get("links") or []:
                if link.get("kind") == "mention" or link.get("attachment"):
                    continue
                target = link.get("target")
                if target is None:  # broken: shown as written, as Dataview shows unresolved links
                    name = str(link.get("raw", "")).strip("![]").split("|")[0].split("#")[0]
                    if name and name not in seen:
                        seen.add(name)
                        outs.append(Link(name))
                    continue
                if target not in self.records:
                    continue  # a hidden entry is never named, not even as a link
                if target not in seen:
                    seen.add(target)
                    outs.append(self.links[target])
                    inlinks[target][slug] = None
            self.outlinks[slug] = outs
        self.inlinks = inlinks
        self.files = files
        self.order = [slug for slug, _ in sorted(self.records.items(), key=lambda kv: kv[1]["path"])]
        self._pages: dict[str, dict[str, Any]] = {}  # built on first use: most queries read a few entries

    def page(self, slug: str) -> dict[str, Any] | None:
        """The Dataview page of an entry (None if the viewer may not see it)."""
        p = self._pages.get(slug)
        if p is None and slug in self.records:
            r = self.records[slug]
            p = self._pages[slug] = self._page(r, self.files.get(r["path"]))
        return p

    @property
    def pages(self) -> dict[str, dict[str, Any]]:
        """Every page, in path order."""
        return {slug: self.page(slug) for slug in self.order}  # type: ignore[misc]

    @cached_property
    def tags_lower(self) -> dict[str, set[str]]:
        return {slug: {t.lower() for t in tag_closure(r.get("tags") or [])} for slug, r in self.records.items()}

    @cached_property
    def by_tag(self) -> dict[str, set[str]]:
        """Lower-cased tag (subtags' parents included) → slugs: `FROM #tag` without a scan of every entry."""
        out: dict[str, set[str]] = {}
        for slug, tags in self.tags_lower.items():
            for t in tags:
                out.setdefault(t, set()).add(slug)
        return out

    @cached_property
    def position(self) -> dict[str, int]:
        return {slug: i for i, slug in enumerate(self.order)}

    @staticmethod
    def _link_of(r: Mapping[str, Any]) -> Link:
        path = r["path"][:-3] if r["path"].endswith(".md") else r["path"]
        return Link(path, r["slug"])

    @property
    def resolver(self) -> Resolver:
        if self._resolver is None:
            self._resolver = Resolver(self.records.values())  # type: ignore[arg-type]  # read-only mappings
        return self._resolver

    def resolve(self, target: str, source_path: str = "") -> Link:
        """A link literal `[[target]]` as Dataview resolves it; unresolved links keep the text as written."""
        target = target.split("|")[0].split("#")[0].strip()
        res = self.resolver.resolve(target, source_path) if target else None
        if res is not None and res.slug in self.links:
            return self.links[res.slug]
        return Link(target)

    def _typed(self, value: Any) -> Any:
        if isinstance(value, str):
            return type_text(value, self._field_link)
        if isinstance(value, list):
            return [self._typed(v) for v in value]
        if isinstance(value, dict):
            return {k: self._typed(v) for k, v in value.items()}
        return value

    def _field_link(self, text: str, embed: bool) -> Link:
        link = self.resolve(text)
        display = text.split("|", 1)[1] if "|" in text else None
        return Link(link.path, link.slug, display, embed)

    def _page(self, r: Mapping[str, Any], fstate: tuple[int, int] | None) -> dict[str, Any]:
        fields: dict[str, Any] = {}

        def put(key: str, value: Any) -> None:
            for k in (key, key.lower(), canonical(key)):
                if k and k not in fields:
                    fields[k] = value

        for key, value in (r.get("fields") or {}).items():
            put(key, self._typed(value))
        for key, raw in (r.get("inline_fields") or {}).items():
            typed = [type_inline(v, self._field_link) for v in raw] if isinstance(raw, list) else \
                type_inline(raw, self._field_link)
            if isinstance(typed, list) and len(typed) == 1:
                typed = typed[0]
            put(key, typed)
        for key in ("title", "type", "date"):
            if r.get(key) is not None:
                put(key, self._typed(r[key]))
        put("tags", list(r.get("tags") or []))
        put("aliases", list(r.get("aliases") or []))
        path = r["path"]
        name = stem_of(path)
        mtime_ns, size = fstate if fstate else (r.get("mtime"), r.get("size"))
        ctime = _date_of(r.get("created")) or _date_of(r.get("ctime"))
        mtime = _date_of(r.get("updated")) or _date_of(mtime_ns)
        m = FILE_DAY.search(name)
        day = parse_date(m.group(1)) if m else None
        if day is None:
            day = fields.get("date") if isinstance(fields.get("date"), dt.datetime) else None
        link = self.links[r["slug"]]
        file = {
            "name": name, "path": path, "folder": posixpath.dirname(path), "ext": posixpath.splitext(path)[1][1:],
            "link": link, "size": size, "ctime": ctime, "cday": _strip(ctime), "mtime": mtime,
            "mday": _strip(mtime), "day": day, "tags": tag_closure(r.get("tags") or []),
            "etags": ["#" + t.lstrip("#") for t in r.get("tags") or []],
            "inlinks": [self.links[s] for s in self.inlinks[r["slug"]]], "outlinks": self.outlinks[r["slug"]],
            "aliases": list(r.get("aliases") or []), "frontmatter": dict(r.get("fields") or {}),
            "starred": False,
        }
        file |= {"links": file["outlinks"], "backlinks": file["inlinks"], "properties": file["frontmatter"]}  # Bases
        file["tasks"] = _nest([self._task(t, r, link) for t in r.get("tasks") or []])
        file["lists"] = file["tasks"]
        fields["file"] = file
        return fields

    def _task(self, t: Mapping[str, Any], r: Mapping[str, Any], link: Link) -> dict[str, Any]:
        status = t.get("status", " ")
        task: dict[str, Any] = {
            "text": t.get("text", ""), "status": status, "checked": status != " ",
            "completed": status in ("x", "X"), "fullyCompleted": status in ("x", "X"), "line": t.get("line"),
            "path": r["path"], "link": link, "task": True, "tags": tag_closure(t.get("tags") or []),
            "visual": t.get("text", ""), "annotated": bool(t.get("fields")), "indent": t.get("indent", 0),
            "children": [], "parent": None,
        }
        for key, raw in (t.get("fields") or {}).items():
            typed = type_inline(raw, self._field_link)
            for k in (key, key.lower(), canonical(key)):
                task.setdefault(k, typed)
        task["fullycompleted"] = task["fullyCompleted"]
        return task


def _strip(d: dt.datetime | None) -> dt.datetime | None:
    return d.replace(hour=0, minute=0, second=0, microsecond=0) if d else None


def _nest(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Subtasks: a task indented under the task before it is its child (`children`, `parent` = the parent's line)."""
    stack: list[dict[str, Any]] = []
    for t in tasks:
        while stack and (stack[-1]["indent"] >= t["indent"] or t["line"] is None):
            stack.pop()
        if stack:
            t["parent"] = stack[-1]["line"]
            stack[-1]["children"].append(t)
        stack.append(t)
    for t in reversed(tasks):  # children come after their parent: settle them first
        t["fullyCompleted"] = t["fullycompleted"] = t["completed"] and all(c["fullyCompleted"] for c in t["children"])
    return tasks
