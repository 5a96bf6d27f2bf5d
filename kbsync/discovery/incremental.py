"""Discovery kept from one build to the next: entries whose content, keywords or links moved go through
`Discovery.update`, and a corpus-wide part (related, topics) is recomputed only when its inputs moved, so what
comes out always equals a full `Discovery.build` over the same records."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..visibility import PUBLIC
from . import topics as T
from .common import Rec, visible
from .enrich import Discovery
from .profile import Profiles

Key = tuple[Any, ...]


def entry_key(r: Rec) -> Key:
    """What discovery reads of an entry: its content (hash), keywords (filled after the sync) and resolved link
    targets (they move when another entry appears or is renamed, the entry's file unchanged)."""
    content = r.get("hash") or repr(sorted((k, repr(v)) for k, v in r.items()))
    targets = tuple(str(ln.get("target") or "") + "\0" + str(ln.get("kind") or "") for ln in r.get("links") or [])
    return (content, tuple(r.get("keywords") or ()), targets)


def digest(records: Iterable[Rec], viewer: str = PUBLIC) -> str:
    """Of everything discovery reads of what `viewer` sees (entry keys in order): equal digests, equal results."""
    h = hashlib.sha256(viewer.encode())
    for r in visible(records, viewer):
        h.update(repr((r["slug"], entry_key(r))).encode())
    return h.hexdigest()


def _topic_input(r: Rec) -> Key:
    """What topics read of an entry: its text (a digest: the kept state never holds every text), its language and
    its keywords (not its title, tags or links)."""
    fields = r.get("fields") or {}
    text = hashlib.blake2b((r.get("text") or "").encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return (text, repr(fields.get("lang")) if isinstance(fields, dict) else "", tuple(r.get("keywords") or ()))


@dataclass
class Kept:
    """The last Discovery of one viewer and the inputs it was computed from (entry keys in build order)."""

    found: Discovery
    keys: dict[str, Key]
    counts: dict[str, Mapping[str, float]]
    topic_in: dict[str, Key]
    builds: int = 0
    updates: int = 0
    redone: list[str] = field(default_factory=list)  # what the last refresh recomputed in full
    seconds: float = 0.0  # the last refresh's wall time
    valid: bool = True  # False once an update failed half-way: the next refresh builds again

    def fields(self) -> dict[str, dict[str, Any]]:
        return self.found.fields()


def refresh(kept: Kept | None, records: Iterable[Rec], content_dir: str | Path, viewer: str = PUBLIC,
            profiles: Profiles | None = None, workers: int | None = None,
            make: Callable[..., Discovery] = Discovery, guard: AbstractContextManager[Any] | None = None,
            spend: bool = False) -> Kept:
    """`kept` brought to `records` (a full build when there is nothing to start from). Mutates `kept.found`:
    its indexes in place under `guard` (readers of `found.duplicates` hold it too), its lists by assignment.
    `spend`: the records are the caller's to spend (a full build drops their texts once profiled)."""
    t0 = time.perf_counter()
    recs = visible(records, viewer)
    profiles = profiles or Profiles()
    keys = {r["slug"]: entry_key(r) for r in recs}
    if kept is None or not kept.valid or kept.found.viewer != viewer or kept.found.content_dir != Path(content_dir):
        topic_in = {r["slug"]: _topic_input(r) for r in recs}  # (before the build: it may drop the texts)
        found = make(Path(content_dir), viewer).build(recs, profiles=profiles, workers=workers, spend=spend)
        out = Kept(found, keys, dict(zip(found.related.slugs, found.related.counts, strict=True)),
                   topic_in, builds=1, redone=["all"])
        out.seconds = time.perf_counter() - t0
        return out
    if list(keys.items()) == list(kept.keys.items()):
        kept.redone, kept.seconds = [], time.perf_counter() - t0
        return kept
    changed = [r for r in recs if kept.keys.get(r["slug"]) != keys[r["slug"]]]
    deleted = [s for s in kept.keys if s not in keys]
    kept.valid = False  # until this update is through
    _update(kept, recs, keys, changed, deleted, profiles, workers, guard)
    kept.valid, kept.seconds = True, time.perf_counter() - t0
    return kept


def _update(kept: Kept, recs: list[Rec], keys: dict[str, Key], changed: list[Rec], deleted: list[str],
            profiles: Profiles, workers: int | None, guard: AbstractContextManager[Any] | None) -> None:
    viewer = kept.found.viewer
    kw = {r["slug"]: list(r.get("keywords") or ()) for r in changed}
    found = kept.found
    with guard or nullcontext():
        found.update(changed, deleted, kw)
    # `update` is exact for related entries too (it re-weights the rows whose words' entry counts moved and
    # refits on add/delete/hide: kbsync/discovery/related.py), so only topics are left to this module.
    counts = dict(zip(found.related.slugs, found.related.counts, strict=True))
    redone: list[str] = []
    topic_in = dict(kept.topic_in)
    for s in deleted:
        topic_in.pop(s, None)
    topic_in.update({r["slug"]: _topic_input(r) for r in changed})
    topic_in = {s: topic_in[s] for s in keys}
    # Topics are a corpus summary `update` leaves alone: recomputed when an entry's text, language or keywords moved.
    if list(topic_in.items()) != list(kept.topic_in.items()):
        edited = [r for r in changed if kept.topic_in.get(r["slug"], ()) != topic_in[r["slug"]]]
        placed = None
        if not deleted and list(keys) == list(kept.keys):  # body edits only: place the edited entries (topics.py)
            prof = found.profiles.get(edited, found.content_dir, workers=1)
            placed = found.topic_index.update(edited, found.keywords, {s: p.counts for s, p in prof.items()},
                                              {s: p.lang for s, p in prof.items()})
        if placed is None:
            # Stem counts and languages from the kept features (the edited entries' were computed by `update`):
            # recounting every entry's words cost as much as the features of a cold build.
            prof = found.profiles.get(recs, found.content_dir, workers=workers)
            found.topic_index = T.Topics(found.topic_opts).build(recs, found.keywords, viewer,
                                                                  {s: p.counts for s, p in prof.items()},
                                                                  {s: p.lang for s, p in prof.items()})
            redone.append("topics")
        found.topics, found.topics_of = found.topic_index.topics, found.topic_index.of
    kept.keys, kept.counts, kept.topic_in = keys, counts, topic_in
    kept.updates += 1
    kept.redone = redone
