"""The site's discovery over the public entries only (so nothing hidden can be named), giving each entry page its
keywords, topics, related entries, unlinked mentions and backlink context, and the generated `topics/` page. Kept
per content folder between the builds of one process (`kb serve`, the watcher, `mkdocs serve`): a rebuild updates
the entries that moved instead of recomputing the corpus, with the same result as a full build."""
from __future__ import annotations

import atexit
import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from kbsync.discovery.featurecache import FeatureCache
from kbsync.discovery.incremental import Kept, digest, refresh
from kbsync.discovery.profile import Profiles
from kbsync.discovery.results import Results
from kbsync.gcpause import gc_paused
from kbsync.paths import heading_anchor
from kbsync.view.discovery import PackedContexts, backlink_contexts
from kbsync.visibility import PUBLIC

from .index import SiteIndex, relative
from .links import esc
from .packedmap import PackedMap
from .pages import GEN, GenPage, _a

TOPICS_URL = "topics/"
_PROFILES = Profiles()  # per process: `mkdocs serve` rebuilds re-profile only the edited entries
_KEPT: dict[Path, Kept | Stored] = {}  # content folder -> the last build's discovery
SITE = "site"  # the results table's viewer for the site's public entries (templates and `exclude:` left out)
log = logging.getLogger("mkdocs.plugins.kb")


class Stored:
    """A kept discovery left in a file by the process that built it (a cold build's forked discovery): read back
    only by the next build of the folder, so a one-shot build never holds it (~21 KB an entry)."""

    def __init__(self, path: str, load: Callable[[BinaryIO], Kept]) -> None:
        self.path, self.read = path, load
        atexit.register(self.drop)  # never read (a one-shot build): not left in the temporary folder

    def load(self) -> Kept | None:
        """The kept discovery (the file removed), None when it cannot be read (the build starts over)."""
        try:
            with open(self.path, "rb") as fh, gc_paused():  # many containers, no cycles; read as it goes
                return self.read(fh)
        except Exception as exc:  # kept state is a cache: without it the discovery is built
            log.info(f"kb: kept discovery not read: {self.path}: {exc}")
            return None
        finally:
            self.drop()

    def drop(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def kept_of(key: Path) -> Kept | None:
    """This process's kept discovery of the content folder `key`, taken out (read back if it was left in a file)."""
    kept = _KEPT.pop(key, None)
    return kept.load() if isinstance(kept, Stored) else kept


def site_discovery(records: list[dict[str, Any]], docs_dir: str | Path, results: str | Path | None = None,
                   spend: bool = False) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """(slug -> fields, topics) of the public `records`: refreshed from this process's last build of `docs_dir`,
    else read from `results` (a SQLite file) when an earlier process saved them for exactly these inputs, else
    built; saved to `results` for the next process. `spend`: the records are the caller's to spend (a build
    drops their texts once profiled: the forked discovery's own copy)."""
    key = Path(docs_dir).resolve()
    kept = kept_of(key)
    sig = digest(records, PUBLIC)
    if kept is None and results is not None:
        saved = _load(results, sig)
        if saved is not None:
            return saved
    before = (kept.builds, kept.updates) if kept is not None else None
    profiles = _profiles(results)
    try:
        kept = refresh(kept, records, docs_dir, PUBLIC, profiles, spend=spend)
    except Exception:  # a half-updated discovery is never reused: this build starts over
        if spend:  # texts already dropped: a build from these records would miss them; the caller's fallback
            raise  # (a failed forked discovery: the build process computes it from its own records)
        log.exception("kb: incremental discovery failed; building it in full")
        kept = refresh(None, records, docs_dir, PUBLIC, profiles)
    _KEPT[key] = kept
    fields, topics = kept.fields(), list(kept.found.topics)
    # Unchanged since this process's last build: saved already, unless that build went to another store.
    if results is not None and (before != (kept.builds, kept.updates) or _saved_digest(results) != sig):
        _save(results, sig, fields, topics)
    return fields, topics


def _profiles(results: str | Path | None) -> Profiles:
    """This process's profiles, reading and writing per-entry features beside the store (`results`), so a
    build after a sync, `kb serve` or the API profiles only the entries no process has profiled yet."""
    if results is not None and getattr(_PROFILES.cache, "path", None) != str(results):
        try:
            _PROFILES.cache = FeatureCache(results)
        except Exception as exc:  # a cache: without it the features are computed
            log.info(f"kb: discovery features not cached: {results}: {exc}")
            _PROFILES.cache = None
    return _PROFILES


def _load(path: str | Path, sig: str) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]] | None:
    try:
        db = Results(path)
        try:
            if db.digest(SITE) != sig:
                return None
            got = db.load(SITE)
        finally:
            db.close()
    except Exception as exc:  # results are a cache: a stale or foreign file means a build, never a failure
        log.info(f"kb: saved discovery not used: {path}: {exc}")
        return None
    return (got[1], got[2]) if got is not None else None


def _saved_digest(path: str | Path) -> str | None:
    """The inputs' digest of the site's results saved at `path` (None: none, or unreadable)."""
    try:
        db = Results(path)
        try:
            return db.digest(SITE)
        finally:
            db.close()
    except Exception:  # a cache: unreadable means not saved
        return None


def _save(path: str | Path, sig: str, fields: dict[str, dict[str, Any]], topics: list[dict[str, Any]]) -> None:
    try:
        db = Results(path)
        try:
            db.save_fields(SITE, 0, fields, topics, sig)
        finally:
            db.close()
    except Exception as exc:
        log.info(f"kb: discovery not saved: {path}: {exc}")


def results_path(store_url: str | None) -> Path | None:
    """The results file beside a SQLite store (`.kb/discovery.sqlite`), None for other stores."""
    if not store_url or not store_url.startswith("sqlite:"):
        return None
    from kbsync.store.sqlite import sqlite_path  # `sqlite:///abs` is absolute: never cut its leading slash

    path = sqlite_path(store_url)
    return None if path == ":memory:" else Path(path).with_name("discovery.sqlite")


def topic_anchor(topic: dict[str, Any]) -> str:
    return heading_anchor(str(topic["label"]), "-") or f"topic-{topic['id']}"


class SiteDiscovery:
    """Discovery of the public entries (those `index.public` keeps: excluded templates are left out too)."""

    def __init__(self, index: SiteIndex, docs_dir: str | Path, store_url: str | None = None,
                 contexts: Callable[[], Mapping[str, Any]] | None = None) -> None:
        self.index = index
        recs = index.public_records()
        fields, topics = site_discovery(recs, docs_dir, results_path(store_url))
        self.fields = PackedMap.of(fields)  # (packed by a forked discovery already: site_plugins/packedmap.py)
        self.contexts = PackedContexts.of(backlink_contexts(recs) if contexts is None  # (made beside: plugin_beside.py)
                                          else contexts())
        self.topics = [t | {"entries": [s for s in t["entries"] if index.is_public(s)]} for t in topics]
        self.anchor = {str(t["label"]): topic_anchor(t) for t in self.topics}

    def of(self, slug: str) -> dict[str, Any]:
        """The entry's discovery fields, public entries only (a second check: the build saw only those)."""
        f = self.fields.get(slug) or {}
        ok = self.index.is_public
        return {"keywords": list(f.get("keywords") or []),
                "topics": [t for t in f.get("topics") or [] if t in self.anchor],
                "related": [x for x in f.get("related") or [] if ok(x["slug"])],
                "unlinked": [x for x in f.get("unlinked") or [] if ok(x["source"])],
                "contexts": {k: v for k, v in (self.contexts.get(slug) or {}).items() if ok(k[0])}}

    # -- entry page panels -----------------------------------------------------------------------
    def header_html(self, slug: str, page_url: str) -> str:
        """Keywords and topics, one line each, under the metadata strip."""
        f = self.of(slug)
        rows = []
        if f["keywords"]:
            rows.append('<div class="kb-keywords"><span class="kb-label">Keywords</span> '
                        + " · ".join(f'<span class="kb-keyword">{esc(k)}</span>' for k in f["keywords"]) + "</div>")
        if f["topics"]:
            base = relative(TOPICS_URL, page_url)
            rows.append('<div class="kb-topics"><span class="kb-label">Topics</span> ' + " · ".join(
                _a(f"{base}#{self.anchor[t]}", t, "kb-topic") for t in f["topics"]) + "</div>")
        return f'<div class="kb-discovery">{"".join(rows)}</div>' if rows else ""

    def related_html(self, slug: str, page_url: str) -> str:
        rel = self.of(slug)["related"][:5]
        if not rel:
            return ""
        items = "".join(f"<li>{_a(relative(self.index.page_url(x['slug']), page_url), self.index.title(x['slug']))}"
                        f' <span class="kb-score" title="relatedness">{x["score"]:.2f}</span></li>' for x in rel)
        return (f'<div class="kb-related" data-count="{len(rel)}"><div class="kb-panel-title">Related '
                f'<span class="kb-count">{len(rel)}</span></div><ol>{items}</ol></div>')

    def unlinked_html(self, slug: str, page_url: str) -> str:
        """Collapsed: where this entry is named in another public entry's text without a link."""
        rows = self.of(slug)["unlinked"]
        if not rows:
            return ""
        items = "".join(f"<li>{_a(relative(self.index.page_url(x['source']), page_url), self.index.title(x['source']))}"
                        f' <span class="kb-dim">{esc(self.index.records[x["source"]]["path"])}:{int(x["line"])}</span>'
                        "</li>" for x in rows)
        return (f'<details class="kb-unlinked" data-count="{len(rows)}"><summary class="kb-panel-title">Unlinked '
                f'mentions <span class="kb-count">{len(rows)}</span></summary><ul>{items}</ul></details>')

    # -- the topics page -------------------------------------------------------------------------
    def pages(self, section: Any = None) -> list[GenPage]:
        """The topics page; `section`: a stand-in for `self.section` (site_plugins/followup_topics.py keeps them)."""
        parts = [f'<p class="kb-dim">{len(self.topics)} topics, found in what the public entries say '
                 "(their keywords and most telling words), tags or not.</p>"]
        parts += [(section or self.section)(t) for t in self.topics if t["entries"]]
        return [GenPage(f"{GEN}/topics.md", TOPICS_URL, "Topics", "# Topics\n" + "".join(parts))]

    def section(self, t: dict[str, Any]) -> str:
        """One topic's part of the topics page: its entries by title."""
        url = TOPICS_URL
        items = "".join(f"<li>{_a(relative(self.index.page_url(s), url), self.index.title(s))}</li>"
                        for s in sorted(t["entries"], key=self.index.title_order))
        return (f'<section class="kb-topic-group" id="{esc(self.anchor[str(t["label"])])}">'
                f'<h2>{esc(str(t["label"]))} <span class="kb-count">{len(t["entries"])}</span></h2>'
                f'<ul class="kb-list">{items}</ul></section>')

    def key(self, slug: str) -> list[Any]:
        """What the panels of `slug` show, as shown (for the incremental render key): other entries' titles and
        paths included, related scores to the two places printed (a corpus change moves most scores in the third)."""
        f = self.of(slug)
        related = [(x["slug"], f"{x['score']:.2f}") for x in f["related"][:5]]
        names = {x.get("slug") or x.get("source") for x in f["related"][:5] + f["unlinked"]}
        return [f["keywords"], f["topics"], related, f["unlinked"], sorted(f["contexts"].items()),
                sorted((s, self.index.title(s), self.index.records[s]["path"]) for s in names if s)]
