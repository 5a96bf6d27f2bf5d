"""Material's header and translations rendered once per build (and place), not once per page.

Material renders its header (logo link, site name, palette toggle, search box) for every page, and each of
its ~20 translation lookups per page builds the whole language table again: together about a third of the
template time of a 10,000-entry build. A translation depends only on the build's config, so each key is
looked up once. The header differs between two pages only by the page's title and by links relative to the
page: it is rendered once per place in the URL tree (`navcache.NavKeys.place`) with a placeholder title,
and each page gets it with its own title put back. `overrides/partials/header.html` and `language.html` keep
the HTML Material's own partials give (byte-identical: tests/site/test_themecache.py).
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .navcache import PREFIX, NavKeys

ENABLED = True  # tests compare against Material rendering both for every page
TITLE = "\ue000kb-header-title\ue001"  # private-use characters: no title or site name contains them


class _Untitled:
    """The page as the header sees it, with the placeholder title (its URL, so relative links, unchanged)."""

    meta = None
    title = TITLE

    def __init__(self, page: Any) -> None:
        self._page = page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)


class HeaderCache:
    """Header HTML by place, split around the title."""

    def __init__(self, keys: NavKeys | None) -> None:
        self.keys = keys
        self.parts: dict[str, tuple[str, str] | None] = {}  # None: the placeholder was not found once

    def key(self, page: Any) -> str | None:
        """The page's place, or None: rendered by Material's partial (no page, no cache, no placeholder)."""
        if self.keys is None or page is None or getattr(page, "file", None) is None:
            return None
        key = self.keys.place(page)
        return None if key in self.parts and self.parts[key] is None else key

    def known(self, key: str) -> bool:
        return key in self.parts

    def keep(self, key: str, html: str) -> str | None:
        """Keep a header rendered with the placeholder title; None when it is not there exactly once."""
        head, found, tail = str(html).partition(TITLE)
        self.parts[key] = (head, tail) if found and TITLE not in tail else None
        return key if self.parts[key] is not None else None

    def html(self, key: str, title: str) -> Markup:
        head, tail = self.parts[key] or ("", "")
        return Markup(head + str(title) + tail)


def _cacheable(config: Any) -> bool:
    """The header links only to places NavKeys knows and shows no nav state (sticky tabs do)."""
    features = config.theme.get("features", []) or []
    return "navigation.tabs.sticky" not in features and not config.extra.get("alternate")


def install(env: Any, config: Any, nav: Any) -> None:
    """Give this build's Jinja environment the translation and header caches (after `navcache.install`)."""
    if not ENABLED or nav is None:
        orig = None
    else:
        try:
            orig = env.get_template(f"{PREFIX}/partials/language.html").make_module({"config": config})
        except Exception:  # noqa: BLE001 - no theme partial under ours (navcache did not install): render per page
            orig = None
    words: dict[str, Any] = {}
    lookup = orig.t if orig is not None else None

    def t(key: str) -> Any:
        if key not in words:
            words[key] = lookup(key) if lookup is not None else None
        return words[key]

    header = HeaderCache(NavKeys(nav, config) if orig is not None and _cacheable(config) else None)
    env.globals.update(kb_t=t if orig is not None else _per_page(env, config), kb_header_key=header.key,
                       kb_header_known=header.known, kb_header_keep=header.keep, kb_header=header.html,
                       kb_untitled=_Untitled)


def _per_page(env: Any, config: Any) -> Any:
    """Material's own lookup on every call (the comparison builds of the tests)."""
    def t(key: str) -> Any:
        return env.get_template(f"{PREFIX}/partials/language.html").make_module({"config": config}).t(key)

    return t
