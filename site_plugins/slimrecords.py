"""The public records as discovery reads them, through a file: the build process writes them, the process that runs
discovery (forked before the records loaded: site_plugins/discovery_later.py) reads them back.

Only the fields discovery reads are written (a record's text, title, aliases, keywords, front matter fields,
link targets and kinds, and what identifies it), in chunks (one pickle's memo over 100,000 records would be a
transient as large as they are), so what the discovery process holds of them is a fraction of a full record
(~9 KB an entry in the build process: headings, blocks, backlinks, field lines, dates). A record without a
content hash goes whole: discovery's change key is then made of all its fields.
"""
from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Iterable, Mapping
from typing import Any

from kbsync.gcpause import gc_paused

FIELDS = ("slug", "path", "hash", "title", "aliases", "type", "handle", "visibility", "fields", "keywords", "text")
LINK_FIELDS = ("target", "kind")
CHUNK = 1000


def slim(record: Mapping[str, Any]) -> dict[str, Any]:
    """What discovery reads of `record` (kbsync/discovery: names, visibility, language, text, keywords, links,
    change keys), every field in the record's own order."""
    if not record.get("hash"):
        return dict(record)
    out = {}
    for k, v in record.items():
        if k in FIELDS:
            out[k] = v
        elif k == "links":
            out[k] = ([{f: ln[f] for f in LINK_FIELDS if f in ln} if isinstance(ln, Mapping) else ln for ln in v]
                      if isinstance(v, list) else v)
    return out


def write(records: Iterable[Mapping[str, Any]], path: str) -> None:
    """`records` slimmed into a new file at `path`, CHUNK at a time."""
    chunk: list[dict[str, Any]] = []
    with open(path, "wb") as fh:
        for r in records:
            chunk.append(slim(r))
            if len(chunk) == CHUNK:
                pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)


def read(path: str) -> list[dict[str, Any]]:
    """The records `write` left at `path`, in order; the file is removed."""
    out: list[dict[str, Any]] = []
    same: dict[tuple[Any, ...], Any] = {}  # (target, kind) -> one link dict for every record linking so
    try:
        with open(path, "rb") as fh, gc_paused():  # many containers, no cycles: no collection while they land
            while True:
                try:
                    chunk = pickle.load(fh)  # noqa: S301 - written by this build's own process
                except EOFError:
                    return out
                for r in chunk:  # (discovery only reads links: one dict a link was 2.4 of 5.3 KB a record)
                    links = r.get("links")
                    if isinstance(links, list):
                        r["links"] = [_one(same, ln) for ln in links]
                out += chunk
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _one(same: dict[tuple[Any, ...], Any], link: Any) -> Any:
    """The link dict equal to `link` read first (`link` itself when it is the first, or not a plain dict of
    hashable values)."""
    try:
        return same.setdefault(tuple(link.items()), link) if isinstance(link, dict) else link
    except TypeError:  # an unhashable value: kept as it is
        return link
