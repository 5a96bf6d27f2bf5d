"""Entries' plain text out of the build process's records while a big build renders, held compressed beside them.

A record's `text` (the entry's plain text, ~1.8 KB of the ~7.5 KB a record holds in the build process) is read
by a build only to cut the backlinks' context sentences and by discovery. When discovery runs in its forked
process (site_plugins/discovery_later.py) and the contexts are cut (`LaterDiscovery.contexts`), nothing the
pages render reads it: `hold` takes it out of every record before the page workers fork (so none of them
inherits it either) and keeps it compressed, ~4x smaller. `restore` puts it back for what reads it later: the
discovery computed in the build process when the forked one failed, and an edit's follow-up discovery
(site_plugins/followup_discovery.py). A record replaced since (an edit reads it from the store) keeps its own.
"""
from __future__ import annotations

import pickle
import zlib
from collections.abc import Mapping
from typing import Any

from .compact import trim

CHUNK = 256  # texts compressed together (one stream: better ratio than each alone, still cheap to restore)


class HeldTexts:
    """The `text` of records, by slug, in compressed chunks."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.count = 0

    def restore(self, records: Mapping[str, dict[str, Any]]) -> None:
        """Each held text back into its record, unless the record has one (replaced since); then nothing held."""
        chunks, self.chunks, self.count = self.chunks, [], 0
        for data in chunks:
            for slug, text in pickle.loads(zlib.decompress(data)):  # noqa: S301 - made by this process
                r = records.get(slug)
                if r is not None and "text" not in r:
                    r["text"] = text


def hold(records: Mapping[str, dict[str, Any]]) -> HeldTexts:
    """Every record's `text` taken out and held compressed (records without one are left alone)."""
    held = HeldTexts()
    batch: list[tuple[str, Any]] = []
    for slug, r in records.items():
        if "text" in r:
            batch.append((slug, r.pop("text")))
            if len(batch) == CHUNK:
                held.chunks.append(_pack(batch))
                held.count += len(batch)
                batch = []
    if batch:
        held.chunks.append(_pack(batch))
        held.count += len(batch)
    trim()  # the freed texts' pages back to the system before the page workers fork
    return held


def _pack(batch: list[tuple[str, Any]]) -> bytes:
    return zlib.compress(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL), 1)


def restore(index: Any) -> None:
    """The texts `hold` took from `index`'s records back in them (nothing held: nothing done)."""
    held = getattr(index, "held_texts", None)
    if held is not None:
        held.restore(index.records)
        index.held_texts = None
