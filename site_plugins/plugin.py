"""The `kb` MkDocs plugin: a thin adapter over kbsync that dispatches to small managers.

Collect in on_page_markdown (links, embeds), resolve in on_env (graph), inject in on_page_context
(metadata, backlinks, document navigation, local graph).
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from . import blockcache, discovery_later, parallel, searchparse, textpack, themecache
from .boundary import install_bounded_walk, page_refs
from .config import KbConfig
from .escaping import as_text, esc
from .explorer import EXPLORER_JSON, explorer_json
from .fastpage import LastBuild, remember
from .graph import graph_vendor_files
from .graph_beside import graph_later
from .graph_site import SITES as GRAPH_SITES
from .graph_site import publish_graph
from .home import home_for
from .incremental import RenderCache
from .index import SiteIndex, default_store_url, sync_and_load, typeahead_json
from .jinjacache import share_compiled_templates
from .links import LinkManager
from .mdreuse import install_reused_markdown
from .navcache import install as navcache_install
from .pages import GenPage
from .panels import DocumentPanel
from .plugin_beside import Beside
from .plugin_context import add_panels
from .plugin_files import FilesMixin
from .plugin_markdown import chrome_options, configure_markdown
from .preload import preload_jieba
from .previews import preview_path, write_preview
from .properties import page_html as page_properties
from .publish import install_atomic_writes, prune_stale
from .queries import SiteQueries
from .searchout import install as install_streamed_search
from .searchprune import prune_search
from .sitenav import site_nav
from .topics import SiteDiscovery
from .vault import VaultAssets, excluded_paths, read_vault
from .vendor import VendorAssets

log = logging.getLogger("mkdocs.plugins.kb")
HERE = Path(__file__).resolve().parent
ASSETS = ["kb.css", "kb-typeahead.css", "kb-graph.css", "kb.js", "kb-graph.js", "kb-typeahead.js"]
ASSETS += ["kb-chrome.css", "kb-chrome.js"]  # explorer, previews, right column, reader mode (site_plugins/explorer.py)
ASSETS.append("kb-discovery.css")  # discovery panels (issue 13)
ASSETS += ["kb-tables.css", "kb-tables.js"]  # entry tables (site_plugins/tables.py), dense tables site-wide


class KbPlugin(FilesMixin, BasePlugin[KbConfig]):
    """Publishes a kb content dir: entry URLs by slug, real links, panels, tag/type pages, graph."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.cache = RenderCache()
        self.queries = SiteQueries()  # ```dataview / ```base blocks, rendered at build time
        self._generated_cache: tuple[str, list[GenPage]] | None = None  # (inputs key, pages) of the last build
        self.dirty = False
        self.command = "build"
        # site_dir -> page src_uri -> site paths its HTML points to; kept between builds (a dirty build does not
        # re-render unchanged pages, and their references still count when choosing attachments to copy)
        self.refs: dict[str, dict[str, set[str]]] = {}
        self.site_name = ""
        self._prune_from: int | None = None
        self._searched: dict[str, set[str]] = {}  # site_dir -> page URLs of its last search index
        self._reset()

    def _reset(self) -> None:
        self.index: SiteIndex | None = None
        self.links: LinkManager | None = None
        self.generated: dict[str, GenPage] = {}
        self.entry_files: dict[str, str] = {}  # src_uri -> slug
        self.new_keys: dict[str, str] = {}
        self.graph: Callable[[], str] | None = None  # a cold build's layout, computed beside the pages
        self.beside: Beside | None = None  # what on_files makes beside discovery (site_plugins/plugin_beside.py)
        self.explorer: str | None = None
        self.docs: DocumentPanel | None = None
        self.files: Files | None = None
        self._urls: set[str] | None = None
        self.vendor: VendorAssets | None = None
        self.discovery: SiteDiscovery | discovery_later.LaterDiscovery | None = None
        self.built: tuple[Any, Any] = (None, None)  # (nav, Jinja env) of this build, for fastpage
        self.glob_key: str | None = None  # what every page's render key starts from (followup.py)
        self._names: dict[str, str] = {}  # on_page_content's memo of the site paths pages point to

    # -- lifecycle -----------------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command, self.dirty = command, dirty

    @event_priority(50)
    def on_config(self, config):  # noqa: ANN001, ANN201
        self._reset()
        install_bounded_walk()  # before MkDocs walks docs_dir (it would follow `ln -s .. up` into the project)
        install_atomic_writes()  # `kb serve` serves the folder while we write into it
        install_reused_markdown()  # one Markdown converter per build, not one per page
        parallel.install()  # big builds read and render pages over the cores (site_plugins/parallel.py)
        install_streamed_search(config.plugins)  # search_index.json written entry by entry (site_plugins/searchout.py)
        searchparse.install(config.plugins)  # Material's search indexing, less CPU (site_plugins/searchparse.py)
        # The theme prints the site name as HTML; it is text (by default the content folder's name).
        self.site_name = str(config.site_name or "")
        config.site_name = esc(self.site_name)
        if self.config.markdown:
            configure_markdown(config, self.config.strict_line_breaks)
        self.queries.install(config)
        if self.config.compact_theme:
            overrides = str(HERE / "overrides")
            dirs = config.theme.dirs
            if overrides not in dirs:
                dirs.insert(1 if config.theme.custom_dir else 0, overrides)
        for name in ASSETS:
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            if f"assets/kb/{name}" not in [str(x) for x in target]:
                target.append(f"assets/kb/{name}")
        self.vault = VaultAssets(read_vault(config.docs_dir))  # the vault's publish.css, snippets, callout colours
        self.vault.configure(config)
        if self.config.vendor_assets:
            self.vendor = VendorAssets(site_wide="navigation.instant" in config.theme.get("features", []))
            self.vendor.configure(config)
        config.extra["kb"] = {"api_url": self.config.api_url or "", "graph": self.config.graph}
        config.extra["kb"]["chrome"] = chrome_options(self.config)
        if self.config.nav == "folders" and "navigation.prune" not in config.theme.get("features", []):
            config.theme["features"] = [*config.theme.get("features", []), "navigation.prune"]
        return config

    @event_priority(50)
    def on_pre_build(self, config) -> None:  # noqa: ANN001
        # First build of this process: nothing known is safe to keep, but the old pages stay served until this
        # build has written its own; what it neither writes nor lists is pruned in on_post_build.
        self._prune_from = (time.time_ns() - 10**8 if self.dirty and config.site_dir not in self.cache.keys
                            and os.path.isdir(config.site_dir) else None)  # file times lag the clock by a tick

    # -- files: URLs, visibility, generated pages ------------------------------------------------
    @event_priority(-50)  # after other plugins added their files
    def on_files(self, files: Files, config) -> Files:  # noqa: ANN001
        if self.config.discovery:  # its process forked while this one is small (discovery_later.py)
            discovery_later.prefork(config.docs_dir, self.config.parallel, config.site_dir not in self.cache.keys)
        records, revision, attachments = sync_and_load(config.docs_dir, self.config.store_url, sync=self.config.sync)
        self._bound(files, config)
        index = self.index = SiteIndex.from_records(records, revision, attachments)
        self.queries.load(records, config.docs_dir)
        index.public -= {index.by_path[p]["slug"] for p in  # templates and `exclude:` globs: hidden, as drafts are
                         excluded_paths(list(index.by_path), self.vault.vault, self.config.exclude)}
        inplace = self.config.incremental and self.dirty and str(Path(config.site_dir).resolve()) in GRAPH_SITES
        if self.config.graph and not inplace:  # a full layout, forked now: beside discovery and the pages
            self.graph = graph_later(index, self.config.parallel, config.site_dir)  # local files too
        first = config.site_dir not in self.cache.keys
        self.beside = self._beside(index, config)  # contexts, tag and type pages: forked too
        preload_jieba(records)  # before discovery's pool and the page workers fork: one load, shared
        self.links = LinkManager(index, config.docs_dir, tag_pages=self.config.tag_pages,
                                 embed_depth=self.config.embed_depth, broken=self.config.broken_links)
        self.docs = DocumentPanel(index)
        self.discovery = None
        if self.config.discovery:  # a big site's first build: computed beside the pages, panels patched in after
            store = self.config.store_url or default_store_url(config.docs_dir)
            self.discovery = (discovery_later.later(index, config.docs_dir, store, self.config.parallel, first,
                                                    self._contexts(index))
                              or SiteDiscovery(index, config.docs_dir, store, contexts=self._contexts(index)))
        self._place_entries(files, config, index)
        self._generate(files, config)
        self.beside.wait()  # reaped before the page workers fork (explorer and typeahead JSON kept for later)
        if type(self.discovery) is discovery_later.LaterDiscovery:  # contexts cut, discovery forked: no page reads
            self.discovery.contexts  # noqa: B018 - taken before the page workers fork (they share them)
            index.held_texts = textpack.hold(index.records)  # the entries' text (site_plugins/textpack.py)
        for name in ASSETS:
            files.append(File.generated(config, f"assets/kb/{name}", abs_src_path=str(HERE / "assets" / name)))
        for f in self.vault.files(config):
            files.append(f)
        if self.vendor is not None:
            for f in self.vendor.files(config):
                files.append(f)
        elif self.config.graph:  # the graph's WebGL libraries have no CDN fallback: shipped either way
            for f in graph_vendor_files(config):
                files.append(f)
        if self.config.nav != "keep" and not config.nav:
            config.nav = site_nav(self)
        self._mark_incremental(files, config)
        self.files = files
        return files

    @event_priority(50)  # before other plugins see the Markdown: they get real links
    def on_page_markdown(self, markdown: str, page, config, files) -> str:  # noqa: ANN001
        src = page.file.src_uri
        gen = self.generated.get(src)
        if src in self.entry_files and self.index is not None:
            as_text(page, self.index.title(self.entry_files[src]))
        elif gen is not None and gen.url:  # the home page keeps the site name
            as_text(page, gen.title)
        self.queries.begin(self.entry_files.get(src), page.file.url)
        if src not in self.entry_files or self.links is None:
            return markdown
        offset = 0
        try:
            raw = page.file.content_string
            if raw.endswith(markdown) or markdown.strip() and markdown in raw:
                offset = raw.count("\n", 0, raw.rfind(markdown))
        except (OSError, UnicodeDecodeError):
            pass
        return self.links.render(markdown, src, page.file.url, line_offset=offset)

    @event_priority(50)
    def on_page_content(self, html: str, page, config, files) -> str:  # noqa: ANN001
        src = page.file.src_uri
        if src in self.generated:  # generated pages skip Markdown: their body is HTML already
            head, _, body = self.generated[src].markdown.partition("\n")
            return f"<h1>{head[2:]}</h1>\n{body}"
        if src not in self.entry_files or self.links is None:
            return html
        if self._urls is None:
            self._urls = {f.url for f in files} | {f.dest_uri for f in files}
        html = self.links.fix_hrefs(self.links.restore(html, src), src, page.file.url, self._urls)
        if self.config.previews and self.index is not None:  # hover popovers read this, not the page
            slug = self.entry_files[src]
            write_preview(config.site_dir, page.file.url, self.index.title(slug),
                          str(self.index.records[slug].get("type") or "note"), html)
        one = self._names.setdefault  # a path many pages point to: one string, not one per page (held all build)
        self.refs.setdefault(config.site_dir, {})[src] = {one(p, p) for p in page_refs(html, page.file.url)}
        return html

    @event_priority(-50)  # after every page was rendered, before MkDocs copies static files
    def on_env(self, env, config, files):  # noqa: ANN001, ANN201
        if isinstance(self.discovery, discovery_later.LaterDiscovery) and not parallel.is_worker():
            self.discovery.wait()  # read beside it, rendered after it (below BESIDE_FROM); workers wait on us
        parallel.exchange(files)  # pages read in other processes: titles, anchors, referenced files
        navcache_install(env, config, self.built[0], str(HERE / "overrides"))  # the nav once per URL-tree place
        themecache.install(env, config, self.built[0])  # the header once per place, translations once per key
        blockcache.install(env, config)  # Material's page-independent blocks once per place
        if parallel.is_worker():  # a page worker renders pages only: graph, explorer, attachments are the parent's
            return share_compiled_templates(env)
        if self.index is not None:
            self._select_attachments(files, config)
        if self.config.explorer and self.index is not None:
            self.explorer = self._made("explorer", lambda: explorer_json(self.index))
        self.built = (self.built[0], env)
        return share_compiled_templates(env)

    @event_priority(-50)  # after the search plugin indexed the page body
    def on_page_context(self, context, page, config, nav):  # noqa: ANN001, ANN201
        slug = self.entry_files.get(page.file.src_uri)
        if slug is not None and self.index is not None and self.links is not None and self.docs is not None:
            add_panels(self, page, slug)
        return context

    def on_nav(self, nav, config, files):  # noqa: ANN001, ANN201
        if self.config.incremental and self.dirty:
            self.cache.keep_titles(config.site_dir, nav.pages)
        self.built = (nav, None)
        parallel.arm(self, nav)
        return nav

    def on_build_error(self, error) -> None:  # noqa: ANN001
        parallel.abort(error)  # a page worker stops; the main process stops its workers
        if isinstance(self.discovery, discovery_later.LaterDiscovery) and not parallel.is_worker():
            self.discovery.cancel()
        if self.beside is not None and not parallel.is_worker():
            self.beside.cancel()
        if self.graph is not None and not parallel.is_worker():  # the layout beside: stopped
            getattr(self.graph, "cancel", lambda: None)()
            self.graph = None

    def on_post_page(self, output: str, page, config) -> str:  # noqa: ANN001
        if self.config.incremental and self.dirty:
            self.cache.titles.setdefault(config.site_dir, {})[page.file.src_uri] = page.title
        slug = self.entry_files.get(page.file.src_uri)
        if slug is not None and self.index is not None:  # cssclasses, description, image act on the page
            output = page_properties(output, self.index, slug, page.url)
        return self.vendor.inject(output, page.url) if self.vendor is not None else output

    @event_priority(-100)  # after the search plugin wrote its index
    def on_post_build(self, config) -> None:  # noqa: ANN001
        graph_files: set[str] = set()
        patched = lambda: None  # noqa: E731
        if isinstance(self.discovery, discovery_later.LaterDiscovery) and self.index is not None:
            patched = discovery_later.settle(self, config, lambda: home_for(self, self.index, config))
            if self.files is not None:
                self._mark_incremental(self.files, config)
        beside = None  # the local graph files, written beside the pages
        if self.graph is not None:  # the layout made beside the pages: graph_layout reuses it for the same input
            self.graph()
            beside, self.graph = getattr(self.graph, "local", None), None
        if self.config.graph and self.index is not None:  # graph.json, local graphs: updated in place
            graph_files = publish_graph(config.site_dir, self.index, incremental=self.config.incremental and self.dirty,
                                        beside=beside)
        if (index := self.index) is not None:  # the search box's names when no API answers (a static host)
            text = self._made("typeahead", lambda: typeahead_json(index))
            Path(config.site_dir, "typeahead.json").write_text(text, encoding="utf-8")
        if self.explorer is not None:
            Path(config.site_dir, EXPLORER_JSON).write_text(self.explorer, encoding="utf-8")
        if self.config.incremental and self.dirty:
            outputs = {f.dest_uri for f in self.files} if self.files is not None else set()
            if self.config.previews:  # a page hidden since the last build loses its preview too
                outputs |= {preview_path(f.url) for f in self.files.documentation_pages()
                            if f.src_uri in self.entry_files} if self.files is not None else set()
            for stale in self.cache.commit(config.site_dir, self.new_keys,
                                           outputs | graph_files | {"typeahead.json", EXPLORER_JSON}):
                p = Path(config.site_dir, stale)
                if p.is_file():
                    p.unlink()
            prune_search(self, config)
            if self._prune_from is not None:
                prune_stale(config.site_dir, self._prune_from, outputs)
            remember(config.site_dir, LastBuild(self, config, self.files, *self.built))  # edit -> page first
        patched()  # discovery's panels, patched into the pages beside the graph files
