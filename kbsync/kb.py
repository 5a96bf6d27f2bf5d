"""The library's front door: `kbsync.open(content)` → a `KB` to sync, read, search and graph one knowledge base."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .export import entry_json
from .settings import Settings
from .store import Store, open_store
from .tags import matches
from .visibility import OWNER, PUBLIC, TOKEN, Viewer, can_see

if TYPE_CHECKING:
    import networkx as nx

    from .sync import SyncReport
    from .view.discovery import DiscoveryView
    from .view.queries import QueryPages
    from .view.readmodel import ReadModel

GRAPH_HIDDEN_KINDS = ("chapter",)  # structural edges, not links


class KB:
    """One knowledge base: its content folder and its store. Every read honours a viewer (public by default):
    `public` sees public entries, `token` private ones too, `owner` drafts as well."""

    def __init__(self, content: Path | str = "content", store: Store | str | None = None,
                 viewer: Viewer = PUBLIC, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.content_dir = Path(content)
        self.viewer = viewer
        self._owned = not (store is not None and not isinstance(store, str))
        if store is None:
            store = self.settings.store_url or Settings(content_dir=self.content_dir).resolved_store_url()
        self.store: Store = open_store(store, mongodb_db=self.settings.mongodb_db) if isinstance(store, str) else store
        self._models: dict[str, ReadModel] = {}
        self._names: tuple[int, dict[str, dict[str, Any]]] | None = None
        self._queries: QueryPages | None = None

    def __enter__(self) -> KB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self.store.close()

    # -- writing ---------------------------------------------------------------------------------

    def sync(self, *, full: bool = False, paths: list[str] | None = None, progress: Any = None) -> SyncReport:
        """Bring the store up to date with the content folder (only what changed, unless `full`)."""
        from .derive import Options
        from .sync import sync_content

        return sync_content(self.content_dir, self.store, full=full, paths=paths, progress=progress,
                            max_bytes=self.settings.max_file_bytes, options=Options(keywords=self.settings.keywords))

    # -- reading ---------------------------------------------------------------------------------

    def _viewer(self, viewer: Viewer | str | None) -> str:
        return self.viewer if viewer is None else viewer

    def names(self) -> dict[str, dict[str, Any]]:
        """slug -> light row (title, type, visibility, ...), cached per store revision."""
        rev = self.store.revision()
        if self._names is None or self._names[0] != rev:
            self._names = (rev, {r["slug"]: r for r in self.store.names()})
        return self._names[1]

    def sees(self, viewer: Viewer | str | None = None) -> Any:
        """`sees(slug)`: may `viewer` see that entry? (what `entry_json` needs to hide links to hidden ones)."""
        names, who = self.names(), self._viewer(viewer)
        return lambda slug: slug in names and can_see(names[slug], who)

    def get(self, slug_or_link_text: str, *, viewer: Viewer | str | None = None) -> dict[str, Any] | None:
        """An entry's JSON by slug, or by anything a wikilink accepts (title, alias, file stem); None if unseen."""
        from .paths import slugify
        from .resolve import Resolver

        who = self._viewer(viewer)
        rec = self.store.get(slug_or_link_text) or self.store.get(slugify(slug_or_link_text))
        if rec is None:
            hit = Resolver(self.store.names()).resolve(slug_or_link_text, "")
            rec = self.store.get(hit.slug) if hit and hit.slug else None
        return None if rec is None else entry_json(rec, who, self.sees(who), self._found(rec, who))

    def entries(self, *, type: str | None = None, tag: str | None = None,
                viewer: Viewer | str | None = None) -> Iterator[dict[str, Any]]:
        """Entry JSON of every entry the viewer sees, in slug order, optionally of one type or with one tag
        (any case; `tag="a"` also finds `a/b`)."""
        who = self._viewer(viewer)
        sees = self.sees(who)
        for rec in self.store.entries(type=type):
            out = entry_json(rec, who, sees, self._found(rec, who))
            if out is not None and (tag is None or matches(out["tags"], tag)):
                yield out

    @property
    def discovery(self) -> DiscoveryView:
        """Related, duplicates, unlinked mentions, topics and backlink context over this store, per viewer."""
        from .view.discovery import view_for

        return view_for(self.content_dir, self.store)

    def _found(self, rec: dict[str, Any], viewer: str) -> dict[str, Any] | None:
        """The entry's discovery fields for `viewer` (None when it may not see the entry: nothing is computed)."""
        return self.discovery.fields(self.store, rec["slug"], viewer) if can_see(rec, viewer) else None

    def related(self, slug: str, *, viewer: Viewer | str | None = None) -> list[dict[str, Any]]:
        """`[{slug, score}]`: the entries most related to `slug` (link graph and text), best first; [] if unseen."""
        who = self._viewer(viewer)
        rec = self.store.get(slug)
        return self.discovery.related(self.store, slug, who) if rec and can_see(rec, who) else []

    def duplicates(self, title: str | None = None, *, limit: int = 20,
                   viewer: Viewer | str | None = None) -> list[dict[str, Any]]:
        """Near-duplicate pairs `[{a, b, score, reason}]` the viewer sees; with `title`, the entries whose title or
        alias is near it (`[{slug, score, reason}]`), as a form asks before anything is written."""
        return self.discovery.duplicates(self.store, self._viewer(viewer), title, limit)

    def topics(self, *, viewer: Viewer | str | None = None) -> list[dict[str, Any]]:
        """Topics of what the viewer sees: `[{id, label, stems, entries}]`."""
        return self.discovery.topics(self.store, self._viewer(viewer))

    def model(self, viewer: Viewer | str | None = None) -> ReadModel:
        """The read model serving `viewer` (the API's: built once, then updated as the store's revision moves)."""
        from .view.readmodel import ReadModel

        audience = OWNER if self._viewer(viewer) == OWNER else TOKEN  # the public one is the API's: same ranking
        model = self._models.get(audience)
        if model is None or model.revision != self.store.revision():
            model = self._models[audience] = ReadModel.from_store(self.store, model, audience)
        return model

    def search(self, q: str, *, limit: int = 10, offset: int = 0, type: str | None = None, tag: str | None = None,
               snippets: bool = True, viewer: Viewer | str | None = None) -> dict[str, Any]:
        """Ranked full text (BM25), as `GET /api/search` answers it."""
        who = self._viewer(viewer)
        return self.model(who).search(q, limit, offset, type, tag, viewer=who, snippets=snippets)

    def suggest(self, q: str, *, limit: int = 10, viewer: Viewer | str | None = None) -> dict[str, Any]:
        """Typeahead over titles, aliases and tags, as `GET /api/suggest` answers it."""
        who = self._viewer(viewer)
        return self.model(who).suggest(q, limit, viewer=who)

    def query(self, q: str, *, viewer: Viewer | str | None = None, time_limit: float | None = None,
              max_rows: int | None = None) -> dict[str, Any]:
        """A Dataview (DQL) query's result as `kb query --json` prints it (and `GET /api/query` answers it);
        the page model is built once per store revision and viewer. Raises `kbsync.query.QueryError`."""
        from .view.queries import QueryPages

        if self._queries is None:
            self._queries = QueryPages()
        return self._queries.query(self.store, q, self._viewer(viewer), time_limit=time_limit, max_rows=max_rows)

    def check(self, *, viewer: Viewer | str | None = None) -> list[dict[str, Any]]:
        """Every problem (`kb check`): file problems, front matter, schemas, broken and ambiguous links.
        A viewer other than the owner sees only problems in entries it may see."""
        from .check import collect

        who = self._viewer(viewer)
        problems: list[dict[str, Any]] = collect(self.store, self.content_dir)  # type: ignore[assignment]
        if who == OWNER:
            return problems
        seen = {r["path"] for r in self.names().values() if can_see(r, who)}
        return [p for p in problems if p["path"] in seen]

    def graph(self, *, viewer: Viewer | str | None = None) -> nx.DiGraph:
        """The link graph of what the viewer sees: nodes are slugs (with title, type, tags, url, date, created,
        updated), an edge per linked pair with `kind` (the first link's) and `kinds` (all of them)."""
        import networkx as nx

        who = self._viewer(viewer)
        g = nx.DiGraph()
        for r in self.store.records():
            if can_see(r, who):
                g.add_node(r["slug"], **{k: r.get(k) for k in ("title", "type", "tags", "url", "date", "created",
                                                                "updated", "visibility")})
        for e in self.store.edges_from():
            if e.dst is None or e.attachment or e.kind in GRAPH_HIDDEN_KINDS or e.src == e.dst:
                continue
            if e.src in g and e.dst in g:
                if g.has_edge(e.src, e.dst):
                    kinds = g.edges[e.src, e.dst]["kinds"]
                    if e.kind not in kinds:
                        kinds.append(e.kind)
                else:
                    g.add_edge(e.src, e.dst, kind=e.kind, kinds=[e.kind])
        return g


def open(content: Path | str = "content", store: Store | str | None = None, *, viewer: Viewer = PUBLIC,
         settings: Settings | None = None) -> KB:
    """Open the knowledge base in `content` (store: a URL, a Store, or None for the one beside the content)."""
    return KB(content, store, viewer, settings)
