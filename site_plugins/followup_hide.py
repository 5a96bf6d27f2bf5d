"""Pages that appear or go without a build: an entry turned draft or private (its outputs, search records and
sitemap entry go, and the last build's state forgets it, so the pages that showed it re-render without it), an
entry made public again, a tag page that appears or has nothing left to list."""
from __future__ import annotations

import contextlib
import gzip
import re
from pathlib import Path
from typing import Any

from .fastpage import docs_moved
from .followup_outputs import drop_pages, search_plugins
from .followup_read import permalinked
from .followup_state import replaced
from .incremental import refresh_faces
from .previews import preview_path
from .publish import write_atomic


def unpublish(b: Any, slug: str, rec: dict[str, Any]) -> tuple[str, str | None] | None:
    """Forget `slug`'s page in the last build's state and remove what it published; returns (its URL, its
    canonical URL) for `unlist` to take it out of the search index and sitemap, once its page is gone."""
    plugin, config, files = b.plugin, b.config, b.files
    index = plugin.index
    old = index.records[slug]
    index.records[slug] = rec
    index.by_path[rec["path"]] = rec
    index.public.discard(slug)
    refresh_faces(index, [slug])
    plugin.queries.records = replaced(plugin.queries.records, {}, {slug})
    f = files.get_file_from_path(old["path"])
    if f is None:
        return None
    canonical = getattr(f.page, "canonical_url", None) if f.page is not None else None
    files.remove(f)
    docs_moved(b, gone=f)
    plugin.entry_files.pop(f.src_uri, None)
    if plugin._urls is not None:
        plugin._urls -= {f.url, f.dest_uri}
    plugin.refs.get(config.site_dir, {}).pop(f.src_uri, None)
    _forget(plugin, config, f.src_uri, {f.dest_uri, preview_path(f.url)})
    return f.url, canonical


def unlist(b: Any, page: tuple[str, str | None] | None) -> None:
    """Take an unpublished page (`unpublish`'s answer) out of the search index and the sitemap: a pass over
    every search entry (hundreds of thousands at 100,000 entries), so it comes after the page is gone."""
    if page is None:
        return
    _drop_search(b.config, page[0])
    if page[1]:
        _drop_sitemap(b.config.site_dir, page[1])


def _drop_search(config: Any, url: str) -> None:
    for plugin in search_plugins(config):
        drop_pages(plugin.search_index, {url})
    # written by patch_search_index once the affected pages are re-rendered


def _drop_sitemap(site_dir: str, canonical: str) -> None:
    path = Path(site_dir, "sitemap.xml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return
    new = re.sub(rf"\s*<url>\s*<loc>{re.escape(canonical)}</loc>.*?</url>", "", text, flags=re.S)
    if new != text:
        write_atomic(new.encode("utf-8"), str(path))
        write_atomic(gzip.compress(new.encode("utf-8"), mtime=0), str(path) + ".gz")


def add_generated(b: Any, p: Any) -> Any:
    """A new generated page (a tag's): its file and page in the last build's state; returns the page to render."""
    b.state.pop("docs", None)  # a page comes or goes
    from mkdocs.structure.pages import Page

    plugin, config = b.plugin, b.config
    f = plugin.add_generated(b.files, config, p)
    for path, text in p.files.items():
        write_atomic(text.encode("utf-8"), str(Path(config.site_dir, path)))
    if plugin._urls is not None:
        plugin._urls |= {f.url, f.dest_uri}
    outputs = plugin.cache.outputs.get(config.site_dir)
    if outputs is not None:
        outputs |= {f.dest_uri, *p.files}
    return Page(None, f, config)


def drop_generated(b: Any, src_uri: str) -> None:
    """A generated page that has nothing left to list (a tag no public entry carries now) leaves the site."""
    b.state.pop("docs", None)  # a page comes or goes
    plugin, config, files = b.plugin, b.config, b.files
    p = plugin.generated.pop(src_uri)
    f = files.get_file_from_path(src_uri)
    canonical = getattr(f.page, "canonical_url", None) if f is not None and f.page is not None else None
    gone = {p.dest_uri, *p.files}
    for rel in gone:
        extra = files.get_file_from_path(rel)
        if extra is not None:
            files.remove(extra)
    if f is not None:
        files.remove(f)
    if plugin._urls is not None:
        plugin._urls -= {p.url, p.dest_uri}
    _forget(plugin, config, src_uri, gone)
    if canonical:
        _drop_sitemap(config.site_dir, canonical)


def publish(b: Any, slug: str, rec: dict[str, Any]) -> bool:
    """Give a newly public entry a file and page in the last build's state (rendered with the affected pages);
    False when that takes the build (an excluded path, a permalink's redirect, a sitemap entry to add)."""
    from bisect import insort

    from mkdocs.structure.files import File, InclusionLevel
    from mkdocs.structure.pages import Page

    from .vault import excluded_paths

    plugin, config, files = b.plugin, b.config, b.files
    index = plugin.index
    if config.site_url or permalinked(rec) or excluded_paths(
            [rec["path"]], plugin.vault.vault, plugin.config.exclude) or files.get_file_from_path(rec["path"]):
        return False
    f = File(rec["path"], config.docs_dir, config.site_dir, config.use_directory_urls)
    f.url = index.page_url(slug)
    f.dest_uri = f"{f.url}index.html"
    f.__dict__.pop("abs_dest_path", None)
    f.inclusion = InclusionLevel.NOT_IN_NAV  # compact nav: entries are reached through type, tag and home pages
    files.append(f)
    docs_moved(b, came=f)
    Page(None, f, config)
    plugin.entry_files[f.src_uri] = slug
    index.public.add(slug)
    refresh_faces(index, [slug])
    insort(plugin.queries.records, rec, key=lambda r: r["slug"])  # as the store lists them: by slug
    if plugin._urls is not None:
        plugin._urls |= {f.url, f.dest_uri}
    outputs = plugin.cache.outputs.get(config.site_dir)
    if outputs is not None:
        outputs |= {f.dest_uri, preview_path(f.url)}
    return True


def _forget(plugin: Any, config: Any, src_uri: str, gone: set[str]) -> None:
    """A page's render key and title are dropped and its output files deleted (and their folders, when empty)."""
    plugin.cache.keys.get(config.site_dir, {}).pop(src_uri, None)
    plugin.cache.titles.get(config.site_dir, {}).pop(src_uri, None)
    outputs = plugin.cache.outputs.get(config.site_dir)
    if outputs is not None:
        outputs -= gone
    for rel in gone:
        path = Path(config.site_dir, rel)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when empty: a public `slug/child/` page may live below
