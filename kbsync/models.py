"""Entry records and problems: the shapes every layer (store, CLI, site, API) agrees on."""
from __future__ import annotations

from typing import Any, Literal, TypedDict

from .visibility import Visibility, visibility_of

__all__ = ["EntryRecord", "Heading", "Level", "LinkOut", "Problem", "Visibility", "visibility_of"]

Level = Literal["error", "warning"]


class Problem(TypedDict):
    """Something wrong with a file, reported by `kb check` as `path:line: level: message`."""

    path: str
    line: int
    level: Level
    code: str  # front_matter | encoding | too_large | too_long | too_many_links | too_slow | internal | file_name
    #           | schema | broken_link | ambiguous_link | duplicate_slug | ...
    message: str


class Heading(TypedDict):
    level: int
    text: str
    anchor: str
    line: int


class LinkOut(TypedDict, total=False):
    """A link as the entry JSON shows it; target None means broken."""

    target: str | None
    kind: str  # link | embed | mention | <relation field name>
    raw: str
    line: int
    anchor: str | None
    label: str | None
    attachment: bool
    ambiguous: list[str] | bool  # stored: the other candidates' paths (closest chosen); True for non-owners


class EntryRecord(TypedDict, total=False):
    """One entry as stored and as exported (`kb export`, `kb show --json`, GET /api/entries/{slug})."""

    slug: str
    path: str  # content-relative, with .md
    title: str
    type: str
    tags: list[str]
    aliases: list[str]
    visibility: Visibility
    url: str  # /<slug>/
    date: str | None
    fields: dict[str, Any]  # every other front-matter key, JSON-able
    headings: list[Heading]
    text: str  # plain text for search
    word_count: int
    keywords: list[str]
    handle: str | None  # for type: person, what @mentions use (default: file stem)
    chapters: list[str]  # document index: chapter slugs in order
    document: str | None  # chapter: slug of its document index
    links: list[LinkOut]
    backlinks: list[dict[str, str]]  # [{source, kind}] from public sources only
    problems: list[Problem]
    hash: str
    created: str | None  # from git history when available
    updated: str | None
    authors: list[str]
