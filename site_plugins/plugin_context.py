"""The kb panels of one entry page (metadata, discovery, document navigation, backlinks, local graph)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .explorer import breadcrumbs_html
from .graph import local_graph_html
from .index import relative
from .panels import BacklinksPanel, MetadataPanel

if TYPE_CHECKING:
    from .plugin import KbPlugin


def add_panels(plugin: KbPlugin, page: Any, slug: str) -> None:
    """Put the panels into `page.content` around its body (the plugin's on_page_context)."""
    index, links, docs, options = plugin.index, plugin.links, plugin.docs, plugin.config
    assert index is not None and links is not None and docs is not None
    url = page.file.url
    top, bottom = [], []
    if options.metadata:
        top.append(MetadataPanel(index, links, tag_pages=options.tag_pages,
                                 type_pages=options.type_pages).html(slug, url))
    found = plugin.discovery
    top.append(found.header_html(slug, url) if found else "")
    if options.documents:
        top.append(docs.toc_html(slug, url) if index.records[slug].get("chapters") else "")
        bottom.append(docs.prevnext_html(slug, url))
        if not index.records[slug].get("chapters"):
            bottom.append(docs.toc_html(slug, url))
    side = []
    if options.backlinks:
        side.append(BacklinksPanel(index, (lambda s: found.of(s)["contexts"]) if found else None).html(slug, url))
        side.append(found.unlinked_html(slug, url) if found else "")  # under the backlinks, collapsed
    side.append(found.related_html(slug, url) if found else "")
    if options.graph:
        side.append(local_graph_html(slug, relative("", url), options.local_graph_depth, url))
    content = page.content or ""
    h1 = content.find("</h1>")
    cut = h1 + 5 if h1 >= 0 else 0
    page.content = (content[:cut] + "".join(top) + content[cut:] + "".join(bottom)
                    + (f'<aside class="kb-side">{"".join(side)}</aside>' if side else ""))
    if options.breadcrumbs:  # above the title: Material adds its own H1 first only when the page has none
        h1 = "" if "<h1" in page.content else f"<h1>{page.title}</h1>"  # page.title is escaped text
        page.content = breadcrumbs_html(index, slug, url, docs.document_of(slug)) + h1 + page.content
