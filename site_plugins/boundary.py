"""The content boundary on the site: which files of docs_dir MkDocs may see, and which it may copy.

MkDocs walks docs_dir following every symlink (`ln -s .. content/up` recurses into the project and
publishes the store) and copies every non-Markdown file. Here the walk is the core's discovery (real
paths inside docs_dir, regular files only, no dot-folders), and the site copies an attachment only
when a public page links to it in some form (wikilink, embed, Markdown link, reference link, raw HTML)
or it lies in a `public_assets` folder.
"""
from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mkdocs.structure.files import File, Files, set_exclusions

from kbsync.discover import discover, ignored, inside

log = logging.getLogger("mkdocs.plugins.kb")
STORE_SUFFIXES = (".sqlite", ".sqlite3", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal", ".db")
# Attribute values that point at another resource: href, src, poster, data (object), srcset (a list).
REF = re.compile(r"""\s(href|src|poster|data|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


def _sort_key(rel: str) -> tuple[tuple[str, ...], bool, str]:
    """MkDocs' walk order: a folder's files (index/README first) before its subfolders, names sorted."""
    parts = tuple(rel.split("/"))
    name = parts[-1]
    return parts[:-1], posixpath.splitext(name)[0] not in ("index", "README"), name


def bounded_get_files(config) -> Files:  # noqa: ANN001 (MkDocsConfig)
    """MkDocs' `get_files`, over the core's discovery instead of a walk that follows every symlink."""
    docs_dir = config["docs_dir"]
    found = discover(Path(docs_dir))
    for p in found.problems:
        log.info(f"kb: {p['path']}:{p['line']}: {p['message']}")  # `kb check` reports these as errors
    files: list[File] = []
    by_dest: dict[str, File] = {}
    conflicts: list[tuple[File, File]] = []
    for rel in sorted([*found.entries, *found.attachments], key=_sort_key):
        f = File(rel, docs_dir, config["site_dir"], config["use_directory_urls"])
        f.kb_inside = True  # type: ignore[attr-defined]  # vetted by discovery: `refused` need not resolve it again (10k realpaths a build)
        prev = by_dest.setdefault(f.dest_uri, f)
        if prev is not f:
            conflicts.append((prev, f))
        files.append(f)
    set_exclusions(files, config)
    for a, b in conflicts:  # README.md beside index.md: as MkDocs does
        drop = a if b.inclusion.is_included() else b
        if drop in files:
            files.remove(drop)
    return Files(files)


def install_bounded_walk() -> None:
    """Make MkDocs' build use `bounded_get_files` (MkDocs has no hook before its walk of docs_dir)."""
    import mkdocs.commands.build as mkbuild

    if getattr(mkbuild, "get_files", None) is not bounded_get_files:
        mkbuild.get_files = bounded_get_files


def refused(f: File, real_docs: str, store_path: str | None) -> str | None:
    """Why a docs_dir file must never be published (None: it may be)."""
    src = f.src_uri
    if ignored(src):
        return "hidden or temporary file"
    if src.lower().endswith(STORE_SUFFIXES):
        return "a database file (the store is never published)"
    if getattr(f, "kb_inside", False):
        return None
    abs_src = f.abs_src_path or os.path.join(real_docs, src)
    real = os.path.realpath(abs_src)
    if not inside(real, real_docs):
        return "symlink leads outside the content folder"
    if store_path is not None and real == store_path:
        return "the kb store"
    try:
        if not os.path.isfile(real):
            return "not a regular file"
    except OSError:
        return "unreadable"
    return None


def page_refs(html: str, page_url: str) -> set[str]:
    """Site paths (unquoted, relative to the site root) that a page's HTML points to."""
    if "=" not in html:
        return set()
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"
    out: set[str] = set()
    for m in REF.finditer(html):
        value = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        values = [v.strip().split(" ")[0] for v in value.split(",")] if m.group(1).lower() == "srcset" else [value]
        for v in values:
            v = v.strip().replace("&amp;", "&")
            if not v or EXTERNAL.match(v):
                continue
            path = unquote(urlsplit(v).path)
            if not path:
                continue
            full = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(base, path))
            if not full.startswith(".."):
                out.add(full)
    return out


def in_public_assets(src: str, folders: Iterable[str]) -> bool:
    """Is `src` one of the `public_assets` paths, or below one of its folders?"""
    for f in folders:
        f = f.strip().strip("/")
        if f and (src == f or src.startswith(f + "/")):
            return True
    return False
