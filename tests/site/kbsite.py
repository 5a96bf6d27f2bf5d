"""Helpers for site tests: build a site once, then parse its HTML (the fixtures live in conftest.py)."""
from __future__ import annotations

import functools
import http.server
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
GEN = ROOT / "kbsync" / "testing" / "corpus.py"  # the corpus generator, runnable as `python GEN OUT --entries N`
VAULT = ROOT / "tests" / "fixtures" / "vaults" / "obsidian-tasks-docs"


@dataclass
class Site:
    content: Path
    out: Path
    store_url: str
    warnings: list[str] = field(repr=False)
    truth: dict = field(default_factory=dict, repr=False)
    _soups: dict[str, BeautifulSoup] = field(default_factory=dict, repr=False)

    def page(self, url: str) -> Path:
        """Output file of a site URL (`a/b/` → a/b/index.html)."""
        path = unquote(url).lstrip("/")
        return self.out / (path + "index.html" if path.endswith("/") or not path else path)

    def soup(self, url: str) -> BeautifulSoup:
        if url not in self._soups:
            self._soups[url] = BeautifulSoup(self.page(url).read_text(encoding="utf-8"), "html.parser")
        return self._soups[url]

    def html_files(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))

    def url_of(self, file: Path) -> str:
        rel = file.relative_to(self.out).as_posix()
        return rel[: -len("index.html")] if rel.endswith("index.html") else rel

    @staticmethod
    def resolve_href(page_url: str, href: str) -> str | None:
        """Site URL a relative href on `page_url` points to; None for external/fragment-only links."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("#", "mailto:", "javascript:")) or not parts.path:
            return None
        import posixpath

        base = "/" + page_url
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(base) if not base.endswith("/") else base, parts.path))
        if parts.path.endswith("/") and not joined.endswith("/"):
            joined += "/"
        return joined.lstrip("/") if joined != "/" else ""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build(content: Path, out: Path, **options) -> Site:
    from site_plugins.config import build_site

    store_url = f"sqlite:///{out.parent / 'kb.sqlite'}"
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        build_site(content, out, store_url=store_url, **options)
    finally:
        logger.removeHandler(handler)
    return Site(content, out, store_url, handler.messages)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        pass


@contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """A plain http.server (no API) on a free loopback port serving `directory`; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def sync_changed(content: Path, store: str) -> list[str]:
    """Sync `content` into the store at URL `store`; the slugs the sync changed."""
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    s = open_store(store)
    try:
        return sync_content(content, s).changed
    finally:
        s.close()
