"""Response shapes: they make the OpenAPI document exact, and the site's typeahead relies on them."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Item(BaseModel):
    """What every hit and listed entry carries."""

    slug: str
    title: str
    url: str
    type: str


class SuggestHit(Item):
    matched: Literal["title", "alias", "tag"]
    alias: str | None = None
    tag: str | None = None
    score: float


class SuggestResponse(BaseModel):
    query: str
    hits: list[SuggestHit]


class SearchHit(Item):
    snippet: str  # HTML-escaped, matched words wrapped in <mark>
    score: float


class FacetValue(BaseModel):
    value: str
    count: int  # hits with this type or tag (counted under the other facet's filter only)


class SearchFacets(BaseModel):
    type: list[FacetValue]
    tag: list[FacetValue]


class SearchResponse(BaseModel):
    query: str
    total: int
    offset: int
    limit: int
    hits: list[SearchHit]
    fuzzy: bool = False  # true: few exact hits, so words were corrected for typos
    facets: SearchFacets


class EntryItem(Item):
    tags: list[str]
    aliases: list[str]
    date: str | None = None


class EntryList(BaseModel):
    items: list[EntryItem]
    next_cursor: str | None  # pass as `cursor` to get the next page; null on the last page


class LinkOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    target: str | None  # null: broken, or pointing at something this caller may not see
    kind: str
    raw: str = ""


class Backlink(BaseModel):
    source: str
    kind: str
    context: str | None = None  # the sentence around the link in the source (body links only)


class Entry(Item):
    """One entry as `kb show --json` prints it, minus what is hidden from this caller."""

    model_config = ConfigDict(extra="allow")
    path: str
    tags: list[str]
    aliases: list[str]
    visibility: Literal["public", "private"]
    fields: dict[str, Any]
    links: list[LinkOut]
    backlinks: list[Backlink]


class TagCount(BaseModel):
    tag: str
    count: int


class GraphNode(Item):
    distance: int


class GraphEdge(BaseModel):
    source: str
    target: str
    kind: str


class Graph(BaseModel):
    center: str
    depth: int
    truncated: bool  # true when the neighbourhood was cut at the node limit
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class GraphPath(BaseModel):
    src: str
    dst: str
    path: list[Item]  # from src to dst; empty when they are not connected


class Health(BaseModel):
    status: Literal["ok", "degraded", "starting"]
    store: Literal["ok", "unreachable"]
    revision: int | None
    entries: int
    error: str | None = None
    # `kb serve` answers before its first site build ends: `building` until then, then `complete` (or `failed`);
    # null when this process builds no site (a reader, or the API alone)
    site: Literal["building", "complete", "failed"] | None = None


class Problem(BaseModel):
    detail: str


class QueryTask(BaseModel):
    text: str | None
    status: str | None
    completed: bool | None
    line: int | None
    path: str | None


class QueryTaskGroup(BaseModel):
    key: Any
    tasks: list[QueryTask]


class QueryDate(BaseModel):
    date: str
    link: Any


class QueryResult(BaseModel):
    """`kb query --json`: `headers`/`rows` for LIST and TABLE, `groups` for TASK, `dates` for CALENDAR; a
    link is `{link, slug, display}`, a date ISO text."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["list", "table", "task", "calendar"]
    count: int
    headers: list[str] | None = None
    rows: list[Any] | None = None
    groups: list[QueryTaskGroup] | None = None
    dates: list[QueryDate] | None = None
