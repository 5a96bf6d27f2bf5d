"""One Markdown converter per build, reset between pages, instead of a new one per page.

MkDocs' `Page.render` builds a `markdown.Markdown` for every page: loading and configuring ~15 extensions
(deep copies of their configs included) was 11% of a 10,000-entry build's profile. Python-Markdown
converters are made to be reused (`reset()` between documents); the four page-specific processors MkDocs
adds are registered afresh for each page, replacing the previous page's under the same names.
"""
from __future__ import annotations

import logging
from typing import Any

import markdown
from mkdocs.structure import pages as mk_pages
from mkdocs.structure.toc import get_toc

from .mdfast import speed_up

_cache: list[Any] = [None, None]  # [config, converter]: one converter for the config being built
_installed: list[Any] = []
ENABLED = True  # tests compare against MkDocs' own converter-per-page


def _converter(config: Any) -> markdown.Markdown:
    if _cache[0] is not config:
        _cache[0], _cache[1] = config, speed_up(markdown.Markdown(extensions=config["markdown_extensions"],
                                                                  extension_configs=config["mdx_configs"] or {}))
    md: markdown.Markdown = _cache[1]
    return md.reset()


def render(self: Any, config: Any, files: Any) -> None:
    """`mkdocs.structure.pages.Page.render` (MkDocs 1.6), with a reused converter."""
    if self.markdown is None:
        raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
    md = _converter(config)
    raw_html_ext = mk_pages._RawHTMLPreprocessor()
    raw_html_ext._register(md)
    extract_anchors_ext = mk_pages._ExtractAnchorsTreeprocessor(self.file, files, config)
    extract_anchors_ext._register(md)
    relative_path_ext = mk_pages._RelativePathTreeprocessor(self.file, files, config)
    relative_path_ext._register(md)
    extract_title_ext = mk_pages._ExtractTitleTreeprocessor()
    extract_title_ext._register(md)
    self.content = md.convert(self.markdown)
    self.toc = get_toc(getattr(md, "toc_tokens", []))
    self._title_from_render = extract_title_ext.title
    self.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
    if mk_pages.log.getEffectiveLevel() > logging.DEBUG:
        self.links_to_anchors = relative_path_ext.links_to_anchors


def install_reused_markdown() -> None:
    """Patch `Page.render` once per process (the original is kept for `uninstall`)."""
    if not ENABLED:
        uninstall()
        return
    if not _installed:
        _installed.append(mk_pages.Page.render)
        mk_pages.Page.render = render  # type: ignore[method-assign]
    _cache[0] = _cache[1] = None  # a new build may have changed extensions: start from a fresh converter


def uninstall() -> None:
    if _installed:
        mk_pages.Page.render = _installed.pop()  # type: ignore[method-assign]
