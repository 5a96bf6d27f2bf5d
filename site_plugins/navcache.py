"""The primary nav rendered once per place in the URL tree, not once per page (Material renders it per page).

The nav's HTML differs between two pages only by the page's own item (active, its table of contents) and by
links relative to the page. A page outside the nav has no item in it, and every relative link depends only
on the page's folder depth and on the longest start of its folder that is also the start of some nav URL
(`mkdocs.utils.get_relative_url`). Pages outside the nav sharing both get the same HTML, rendered once: at
10,000 entries that is a few dozen renders instead of 10,000 (it was 35% of the template time).
`overrides/partials/nav.html` asks `kb_nav_key(page)` and keeps the HTML Material's own partial gives.
"""
from __future__ import annotations

import os
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from markupsafe import Markup
from mkdocs.utils import _get_norm_url, _norm_parts

ENABLED = True  # tests compare against Material rendering the nav for every page
PREFIX = "material-original"  # `material-original/partials/nav.html`: the theme's own partial, under ours


def _urls(items: Any) -> list[str]:
    out: list[str] = []
    for item in items or []:
        if getattr(item, "url", None) is not None:
            out.append(str(item.url))
        out += _urls(getattr(item, "children", None))
    return out


def _folder(url: str) -> list[str]:
    """A page URL's folder parts, as `get_relative_url` takes them (a last part with a dot is a file)."""
    dirname, _, basename = url.rpartition("/")
    return _norm_parts(dirname if "." in basename else url)


class Places:
    """`place(page)`: equal for two pages exactly when every link to one of `targets` is the same relative URL
    from both."""

    def __init__(self, targets: list[str]) -> None:
        self.starts: set[tuple[str, ...]] = set()
        for url in targets:
            path, level = _get_norm_url(url)
            if level == -1:
                continue  # absolute: the same from every page
            parts = tuple(_norm_parts(path))
            self.starts.update(parts[:i] for i in range(len(parts) + 1))

    def place(self, page: Any) -> str:
        """The page's place in the URL tree: its folder's depth and its longest start shared with a target."""
        folder = _folder(page.url)
        common = 0
        while common < len(folder) and tuple(folder[:common + 1]) in self.starts:
            common += 1
        return f"{len(folder)}/{'/'.join(folder[:common])}"


class NavKeys(Places):
    """`key(page)`: equal for two pages exactly when Material's nav partial renders them the same (the targets:
    every nav URL, the homepage, logo and favicon)."""

    def __init__(self, nav: Any, config: Any) -> None:
        self.in_nav = {p.file.src_uri for p in nav.pages}
        targets = _urls(nav.items)
        targets += [str(u) for u in (getattr(nav.homepage, "url", None), config.extra.get("homepage"),
                                     config.theme.get("logo"), config.theme.get("favicon")) if u]
        super().__init__(targets)

    def key(self, page: Any) -> str | None:
        if page is None or getattr(page, "file", None) is None or page.file.src_uri in self.in_nav:
            return None
        return self.place(page)


def _theme_dir(config: Any, ours: str) -> str | None:
    """The theme folder whose `partials/nav.html` ours stands in front of."""
    dirs = [os.path.abspath(d) for d in config.theme.dirs]
    if os.path.abspath(ours) not in dirs:
        return None
    for d in dirs[dirs.index(os.path.abspath(ours)) + 1:]:
        if os.path.isfile(os.path.join(d, "partials", "nav.html")):
            return d
    return None


def install(env: Any, config: Any, nav: Any, ours: str) -> None:
    """Give this build's Jinja environment the nav keys, a fresh cache and the theme's own partial."""
    theme = _theme_dir(config, ours)
    if theme is None:
        return  # our partial is not on the theme's path
    keys = NavKeys(nav, config) if ENABLED and nav is not None else None
    cache: dict[str, Markup] = {}

    def keep(key: str, html: str) -> Markup:
        cache[key] = Markup(html)
        return cache[key]

    if not isinstance(env.loader, ChoiceLoader) or not any(
            isinstance(x, PrefixLoader) and PREFIX in x.mapping for x in env.loader.loaders):
        env.loader = ChoiceLoader([PrefixLoader({PREFIX: FileSystemLoader(theme)}), env.loader])
    env.globals.update(kb_nav_key=keys.key if keys is not None else (lambda page: None), kb_nav_cache=cache,
                       kb_nav_keep=keep)
