"""Material's page-independent blocks of `base.html` rendered once per place in the URL tree, not once per page.

The `styles`, `libs`, `fonts`, `analytics`, `config` and `scripts` blocks read the config only, and the page only
through links relative to it (the `url` and `script_tag` filters, `base_url`). Two pages at the same place
(`navcache.Places`: the folder's depth and its longest start shared with a link target) get the same HTML, so
`overrides/kb-base.html` renders each block once per place and reuses it (~a quarter of the template time at
10,000 entries). Off when the site's own theme folder overrides `base.html` or a partial these blocks include
(its version may read the page). Byte-identical to Material: tests/site/test_blockcache.py.
"""
from __future__ import annotations

import os
import re
from typing import Any

from markupsafe import Markup

from .navcache import Places

ENABLED = True  # tests compare against Material rendering every block for every page
BLOCKS = ("styles", "libs", "fonts", "analytics", "config", "scripts")
OWN = ("base.html", "partials/icons.html", "partials/integrations")  # a custom_dir version of these: no cache
_URL = re.compile(r"""["']([^"'{}\s]+)["']\s*\|\s*url\b""")  # a literal the template makes relative to the page
_LITERALS: dict[str, list[str]] = {}  # template folder -> the literals of its templates (read once a process)


def _literals(folder: str) -> list[str]:
    if folder not in _LITERALS:
        found: list[str] = []
        for root, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # .icons: thousands of SVG files, no templates
            for name in names:
                if name.endswith(".html"):
                    with open(os.path.join(root, name), encoding="utf-8", errors="replace") as fh:
                        found += _URL.findall(fh.read())
        _LITERALS[folder] = found
    return _LITERALS[folder]


def targets(config: Any) -> list[str]:
    """Every URL these blocks may print relative to the page (over-counted: more targets, more places)."""
    out = [str(x) for x in (*config.extra_css, *config.extra_javascript, *(config.extra.get("polyfills") or []))]
    out += [str(config.theme.get(k)) for k in ("favicon", "logo") if config.theme.get(k)]
    for folder in config.theme.dirs:
        out += _literals(folder)
    return out


def cacheable(config: Any) -> bool:
    custom = config.theme.custom_dir
    return not (custom and any(os.path.exists(os.path.join(custom, name)) for name in OWN))


class BlockCache:
    """Block HTML by (block, place)."""

    def __init__(self, places: Places | None) -> None:
        self.places = places
        self.html: dict[tuple[str, str], Markup] = {}

    def key(self, page: Any) -> str | None:
        """The page's place, or None: its blocks rendered by Material (no page)."""
        if self.places is None or page is None or getattr(page, "file", None) is None:
            return None
        return self.places.place(page)

    def get(self, name: str, key: str) -> Markup | None:
        return self.html.get((name, key))

    def keep(self, name: str, key: str, html: str) -> Markup:
        self.html[(name, key)] = Markup(html)
        return self.html[(name, key)]


def install(env: Any, config: Any) -> None:
    """Give this build's Jinja environment a fresh block cache (`kb_block_*`, read by overrides/kb-base.html)."""
    cache = BlockCache(Places(targets(config)) if ENABLED and cacheable(config) else None)
    env.globals.update(kb_block_key=cache.key, kb_block=cache.get, kb_block_keep=cache.keep)
