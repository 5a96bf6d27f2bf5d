"""Unlinked mentions: an entry's title or alias in another visible entry's plain text, not inside a link,
code, a comment, a URL, a heading or front matter (Aho-Corasick over all names, pyahocorasick). Word boundaries are
required where the script has them, none beside CJK characters."""
from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ahocorasick

from ..derive.spans import URL, scan
from ..parse import _FM, Parsed, decode
from ..visibility import PUBLIC
from . import lang as L
from .common import Rec, names, visible

_MIN_LEN = 3  # shorter names (`Go`, `AI`) would be found in everything; CJK names need only 2


def _lower(text: str) -> str:
    """Lowercase without moving offsets (a few characters, like `İ`, lowercase to two)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def plain_text(content_dir: str | Path, rec: Rec) -> tuple[int, str] | None:
    """(file line of the body's first line, the body with code, comments, HTML, links, tags, mentions and
    URLs blanked: same length, newlines kept, so offsets still give lines)."""
    try:
        data = (Path(content_dir) / rec["path"]).read_bytes()
    except OSError:
        return None
    body, first = _body(rec["path"], data)
    if body is None:
        return None
    sc = scan(body)
    text = sc.masked
    if sc.spans:
        parts, pos = [], 0
        for s in sc.spans:
            parts += [text[pos:s.start], " " * (s.end - s.start)]
            pos = s.end
        parts.append(text[pos:])
        text = "".join(parts)
    if "://" in text or "mailto:" in text or "<" in text:
        text = URL.sub(lambda m: " " * len(m.group()), text)
    if sc.headings:  # a heading names a section (the target of `[[X#Heading]]`), it does not mention an entry
        lines = text.split("\n")
        for _, _, i in sc.headings:
            if i < len(lines):
                lines[i] = " " * len(lines[i])
        text = "\n".join(lines)
    return first, _lower(text)


def pack_plain(plain: tuple[int, str | bytes] | None) -> tuple[int, bytes] | None:
    """A `plain_text` held compressed (zlib level 1, ~3x smaller): discovery keeps every entry's for later edits'
    scans (~1.9 KB an entry, ~190 MB at 100,000 entries as strings), and the pool computing them sends them so."""
    if plain is None:
        return None
    first, text = plain
    return first, text if isinstance(text, bytes) else zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def plain_str(text: str | bytes) -> str:
    """A plain text as `plain_text` gave it (packed by `pack_plain` or not)."""
    return text if isinstance(text, str) else zlib.decompress(text).decode("utf-8", "surrogatepass")


def _body(path: str, data: bytes) -> tuple[str | None, int]:
    """(body, its first file line) as `parse_bytes` splits them, without parsing the YAML (not needed here)."""
    parsed = Parsed(path=path, hash="")
    text = decode(path, data, parsed)
    if text is None:
        return None, 1
    if not _FM.detect(text):
        return text, 1
    try:
        _, body = _FM.split(text)
    except ValueError:
        return text, 1
    return body, (text.count("\n", 0, len(text) - len(body)) + 1 if body else text.count("\n") + 1)


def _ok_name(name: str) -> bool:
    return len(name) >= (2 if L._CJK_RUN.search(name) else _MIN_LEN)


def _bounded(text: str, start: int, end: int, name: str) -> bool:
    """Word boundaries on each side where the name's own edge character is not CJK."""
    if not L.is_cjk_char(name[0]) and name[0].isalnum() and start > 0:
        c = text[start - 1]
        if c.isalnum() or c == "_":
            return False
    if not L.is_cjk_char(name[-1]) and name[-1].isalnum() and end < len(text):
        c = text[end]
        if c.isalnum() or c == "_":
            return False
    return True


class UnlinkedIndex:
    """Names of the visible entries in one automaton, each source's plain text kept, so one edit rescans one
    entry (and, when its names change, searches the corpus for those names only)."""

    def __init__(self, content_dir: str | Path, viewer: str = PUBLIC) -> None:
        self.content_dir, self.viewer = Path(content_dir), viewer
        self.texts: dict[str, tuple[int, bytes]] = {}  # slug -> (file line of the body's first line, plain text packed)
        self.names: dict[str, set[str]] = {}  # slug -> its lowercased names
        self.found: dict[str, set[tuple[str, int]]] = {}  # source slug -> {(target slug, line)}
        self.auto: Any = None

    def build(self, records: Iterable[Rec], texts: dict[str, tuple[int, str | bytes] | None] | None = None,
              scan: bool = True) -> UnlinkedIndex:
        """Names and texts of the visible entries, then every text scanned (`scan=False`: leave the scan to
        `scan_all`, e.g. in another process, and `adopt` its result)."""
        recs = visible(records, self.viewer)
        for r in recs:
            self.names[r["slug"]] = self._names(r)
            self._set_text(r, (texts or {}).get(r["slug"], ...))
        if scan:
            self.adopt(self.scan_all())
        return self

    def scan_all(self) -> dict[str, set[tuple[str, int]]]:
        """Every source's hits (builds the automaton)."""
        auto = self._auto()
        return {slug: self._scan(slug, auto) for slug in self.texts}

    def adopt(self, found: dict[str, set[tuple[str, int]]]) -> None:
        """Hits `scan_all` found over these same names and texts (the automaton is built when an update needs it)."""
        self.found = found

    def _auto(self) -> Any:
        if self.auto is None:
            self.auto = self._automaton(self.names)
        return self.auto

    @staticmethod
    def _names(r: Rec) -> set[str]:
        return {n for n in (_lower(x.strip()) for x, _ in names(r)) if _ok_name(n)}

    def _set_text(self, r: Rec, got: Any = ...) -> None:
        got = plain_text(self.content_dir, r) if got is ... else got
        if got is None:
            self.texts.pop(r["slug"], None)
            return
        self.texts[r["slug"]] = pack_plain(got)  # type: ignore[assignment]

    @staticmethod
    def _automaton(names_by_slug: dict[str, set[str]]) -> Any:
        owners: dict[str, list[str]] = defaultdict(list)
        for slug, ns in names_by_slug.items():
            for n in ns:
                owners[n].append(slug)
        auto = ahocorasick.Automaton()
        for n, slugs in owners.items():
            auto.add_word(n, (n, tuple(sorted(slugs))))
        if len(auto):
            auto.make_automaton()
        return auto

    def _scan(self, source: str, auto: Any) -> set[tuple[str, int]]:
        if source not in self.texts or not len(auto) or auto.kind != ahocorasick.AHOCORASICK:
            return set()
        first, held = self.texts[source]
        text = plain_str(held)
        hits = []
        for end, (name, slugs) in auto.iter(text):
            start = end - len(name) + 1
            if _bounded(text, start, end + 1, name):
                hits.append((start, end + 1, slugs))
        out: set[tuple[str, int]] = set()
        for start, end, slugs in hits:
            # A name inside a longer name found at the same place (`Squat` in `Back Squat`) is that one's.
            if any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in hits):
                continue
            line = first + text.count("\n", 0, start)  # hits are few: counting beats indexing every newline
            out.update((t, line) for t in slugs if t != source)
        return out

    def update(self, changed: Iterable[Rec] = (), deleted: Iterable[str] = (),
               texts: dict[str, tuple[int, str | bytes] | None] | None = None) -> None:
        """Rescan the changed entries; when names change, search every text for the old and new names only.
        `texts`: the changed entries' plain texts, when already computed."""
        touched: set[str] = set()
        for slug in deleted:
            touched |= self.names.pop(slug, set())
            self.texts.pop(slug, None)
            self.found.pop(slug, None)
        for r in changed:
            old = self.names.pop(r["slug"], set())
            self.texts.pop(r["slug"], None)
            self.found.pop(r["slug"], None)
            new = set()
            if r in visible([r], self.viewer):
                new = self.names[r["slug"]] = self._names(r)
                self._set_text(r, (texts or {}).get(r["slug"], ...))
            touched |= old ^ new
        rescan = {r["slug"] for r in changed if r["slug"] in self.texts}
        if touched:  # names changed: a new automaton (the expensive part of an update, so only then)
            self.auto = self._automaton(self.names)  # sources holding an old or new name anywhere are rescanned whole (nesting may change)
            probe = ahocorasick.Automaton()
            for n in touched:
                probe.add_word(n, n)
            probe.make_automaton()
            rescan |= {src for src, (_, text) in self.texts.items() if next(probe.iter(plain_str(text)), None)}
        for src in rescan:
            self.found[src] = self._scan(src, self._auto())

    def result(self) -> dict[str, list[dict[str, Any]]]:
        """target slug -> [{source, line}] sorted by source then line."""
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for src, hits in self.found.items():
            for t, line in hits:
                if t in self.names:
                    out[t].append({"source": src, "line": line})
        return {t: sorted(v, key=lambda x: (x["source"], x["line"])) for t, v in sorted(out.items())}


def find(records: Iterable[Rec], content_dir: str | Path, viewer: str = PUBLIC) -> dict[str, list[dict[str, Any]]]:
    """target slug -> where its title/aliases appear unlinked in other entries `viewer` may see."""
    return UnlinkedIndex(content_dir, viewer).build(records).result()
