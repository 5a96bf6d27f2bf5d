"""Find wikilinks, embeds, Markdown links, @mentions and #tags in a body, with offsets.

markdown-it's block pass tells where code, HTML and headings are; those regions
are masked (same length, newlines kept) so nothing inside code ever counts, and
every span keeps its exact offset and line for the site and for `kb check`.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

from .comments import blank_comments

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Patterns start with a literal so the regex engine can skip ahead (a leading `(!?)` or
# lookbehind makes it try every position, several times slower on long bodies).
# Every pattern must stay linear on hostile bodies (tests/hostile/test_regex_linear.py): a repeated
# part may never also match the text that follows it (a destination never runs over `(`, an
# angle destination never over `<`), or each start scans the rest of the line again.
WIKILINK = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
MDLINK = re.compile(r"!?\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^<>\n]+>|(?:[^()\s]|\([^()\s]*\))+)"
                    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
MDREF = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:\s*(<[^>\n]+>|\S+)", re.M)
TICKS = re.compile(r"`+")
PARA_BREAK = re.compile(r"\n[ \t]*\n")
URL = re.compile(r"(?:https?|ftp|file|mailto):[^\s<>()\[\]]+|<[a-z][a-z0-9+.-]*:[^\s<>]*>", re.I)
MENTION = re.compile(r"@(?<![\w@./\\+-]@)(\w(?:[\w.-]*\w)?)")
TAG = re.compile(r"#(?<![\w&/#\\]#)(\w[\w/-]*)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


class LinkSpan(NamedTuple):
    """One link-like thing in the body: offsets are into the string that was scanned.

    A NamedTuple: a corpus has ~10 per entry, and a tuple is built 3x faster than a frozen dataclass."""

    start: int
    end: int
    line: int  # 1-based line in the scanned string
    form: str  # wikilink | mdlink | mention | tag
    raw: str
    target: str  # entry/attachment target without anchor ("" for same-entry heading links)
    anchor: str | None = None
    label: str | None = None
    embed: bool = False


@dataclass
class Scan:
    """Result of scanning one body."""

    spans: list[LinkSpan]
    headings: list[tuple[int, str, int]]  # (level, raw inline text, 0-based line)
    masked: str  # body with code/HTML/comments blanked
    limited: bool = False  # too many lines for the block parser: only fences and ATX headings were found
    dropped: int = 0  # spans past MAX_SPANS, not kept


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    # Imported here: most bodies never need it, and a no-op `kb sync` should not pay for the import.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    # Block structure only: inline parsing is done by the regexes below, on masked text.
    md = MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin)
    md.disable("inline")
    return md


def _blank(text: str) -> str:
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(part) for part in text.split("\n"))


def _blank_match(m: re.Match[str]) -> str:
    return _blank(m.group())


def _mask_lines(lines: list[str], start: int, end: int) -> None:
    for i in range(start, min(end, len(lines))):
        lines[i] = " " * len(lines[i])


# Lines that may open code, HTML, quotes or setext headings: only bodies with one need markdown-it.
# Both line patterns start with a literal newline and run on "\n" + text: `^` with re.M makes the
# engine try every position (4x slower on a 10,000-entry corpus).
_NEEDS_BLOCK_PARSER = re.compile(r"\n(?: {4}|\t| {0,3}(?:```|~~~|<|>|[=-]+[ \t]*$))", re.M)
_ATX = re.compile(r"\n {0,3}(#{1,6})(?:[ \t]([^\n]*))?$", re.M)  # closing #s: see _atx_text


_FENCE_OPEN = re.compile(r" {0,3}(`{3,}(?=[^`]*$)|~{3,})")


def _atx_text(rest: str) -> str:
    """A heading's text without its optional closing `#`s (string ops: a regex here was quadratic)."""
    rest = rest.strip(" \t")
    bare = rest.rstrip("#")
    if bare != rest and (not bare or bare[-1] in " \t"):
        rest = bare
    return rest.strip(" \t").strip()


def code_spans(text: str) -> list[tuple[int, int]]:
    """Code spans as CommonMark finds them: a backtick run closes at the next run of the same length,
    within one paragraph. Linear: each run is looked at once (a regex backtracked over the whole body)."""
    runs = [m.span() for m in TICKS.finditer(text)]
    if len(runs) < 2:
        return []
    breaks = [m.start() for m in PARA_BREAK.finditer(text)] if "\n" in text else []
    nxt: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        n = runs[i][1] - runs[i][0]
        nxt[i] = last.get(n)
        last[n] = i
    out, i = [], 0
    while i < len(runs):
        j = nxt[i]
        if j is not None:
            k = bisect_left(breaks, runs[i][1])
            if k == len(breaks) or breaks[k] >= runs[j][0]:  # no blank line inside
                out.append((runs[i][0], runs[j][1]))
                i = j + 1
                continue
        i += 1
    return out


def _simple_fences(lines: list[str]) -> list[tuple[int, int]] | None:
    """Fenced code ranges by CommonMark's rules, for bodies whose only block syntax is top-level fences."""
    out, i, n = [], 0, len(lines)
    while i < n:
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group(1)
        close = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < n and not close.match(lines[j]):
            j += 1
        out.append((i, min(j + 1, n)))  # an unclosed fence runs to the end
        i = j + 1
    return out


# markdown-it costs up to ~35 us a line (1M quoted lines: 33 s, 400 MB); past this a body gets the
# simple scan, whose work is linear and small, so no single file can stall a sync.
BLOCK_PARSER_MAX_LINES = 50_000
MAX_SPANS = 100_000  # links, mentions and tags kept per file: past it, memory would grow with one file


def _blocks(body: str, lines: list[str], simple: bool = False) -> tuple[list[tuple[int, str, int]],
                                                                       list[tuple[int, int]]]:
    """Headings (level, raw text, line) and heading line ranges; code and HTML lines get blanked in `lines`."""
    headings: list[tuple[int, str, int]] = []
    heading_lines: list[tuple[int, int]] = []
    complex_lines = [] if simple else [m.group()[1:] for m in _NEEDS_BLOCK_PARSER.finditer("\n" + body)]
    if simple or all(x.lstrip(" ")[:3] in ("```", "~~~") for x in complex_lines):
        # Plain prose, or prose with top-level fences only: no block parser needed.
        fences = _simple_fences(lines) if complex_lines or simple else []
        for a, b in fences or ():
            _mask_lines(lines, a, b)
        if "#" in body:
            masked = "\n".join(lines) if fences else body
            line_of = _LineOf(masked)  # counted on from the last heading: counting from 0 each time was quadratic
            for m in _ATX.finditer("\n" + masked):
                line = line_of(m.start()) - 1  # in "\n" + masked, m.start() is the line's start in masked
                headings.append((len(m.group(1)), _atx_text(m.group(2) or ""), line))
                heading_lines.append((line, line + 1))
        return headings, heading_lines
    tokens = _md().parse(body)
    for i, tok in enumerate(tokens):
        if tok.type in ("fence", "code_block", "html_block") and tok.map:
            _mask_lines(lines, tok.map[0], tok.map[1])
        elif tok.type == "heading_open" and tok.map:
            inline = tokens[i + 1]
            headings.append((int(tok.tag[1]), inline.content, tok.map[0]))
            heading_lines.append((tok.map[0], tok.map[1]))
    return headings, heading_lines


def _mask(text: str, ranges: list[tuple[int, int]]) -> str:
    """Blank the given (start, end) ranges, keeping newlines and offsets."""
    out, pos = [], 0
    for a, b in ranges:
        out.append(text[pos:a])
        out.append(_blank(text[a:b]))
        pos = b
    out.append(text[pos:])
    return "".join(out)


def scan(body: str) -> Scan:
    """Scan a Markdown body (front matter already removed)."""
    lines = body.split("\n")
    limited = len(lines) > BLOCK_PARSER_MAX_LINES
    headings, heading_lines = _blocks(body, lines, simple=limited)
    masked = "\n".join(lines)
    if "%%" in masked:
        masked = blank_comments(masked)
    if "`" in masked:
        masked = _mask(masked, code_spans(masked))
    line_of = _LineOf(masked)  # every masked variant below keeps the newlines where they were
    spans: list[LinkSpan] = []

    no_wiki = masked
    if "[[" in masked:
        def wikilink(m: re.Match[str]) -> str:  # record the span, blank it (wikilinks never span lines)
            spans.append(_wikilink(m, line_of(m.start())))
            return " " * (m.end() - m.start())

        no_wiki = WIKILINK.sub(wikilink, masked)
    plain = no_wiki
    if "](" in no_wiki:
        found = list(MDLINK.finditer(no_wiki))
        spans += [s for s in (_mdlink(m, line_of(m.start())) for m in found) if s]
        plain = _mask(no_wiki, [m.span() for m in found])
    for m in (MDREF.finditer(no_wiki) if "]:" in no_wiki else ()):
        dest = m.group(1).strip("<>")
        if _is_local(dest) and dest.split("#")[0].lower().endswith(".md"):
            target, _, anchor = unquote(dest).partition("#")
            spans.append(LinkSpan(m.start(1), m.end(1), line_of(m.start()), "mdlink", m.group(0).strip(),
                                  target, anchor or None))
    # Mentions and tags never come from link text, URLs or headings.
    if "://" in plain or "mailto:" in plain or "<" in plain:
        plain = URL.sub(_blank_match, plain)
    if heading_lines and "#" in plain:
        plain_lines = plain.split("\n")
        for a, b in heading_lines:
            _mask_lines(plain_lines, a, b)
        plain = "\n".join(plain_lines)
    for m in (MENTION.finditer(plain) if "@" in plain else ()):
        spans.append(LinkSpan(m.start(), m.end(), line_of(m.start()), "mention", m.group(0), m.group(1)))
    for m in (TAG.finditer(plain) if "#" in plain else ()):
        tag = m.group(1).rstrip("/-")
        if tag and not tag.replace("/", "").isdigit():  # `#123` is an issue number, not a tag
            spans.append(LinkSpan(m.start(), m.start() + 1 + len(tag), line_of(m.start()), "tag", "#" + tag, tag))
    spans.sort(key=itemgetter(0))  # by start; starts are unique (each pass masks what earlier ones found)
    dropped = max(0, len(spans) - MAX_SPANS)
    if dropped:
        del spans[MAX_SPANS:]
    return Scan(spans=spans, headings=headings, masked=masked, limited=limited, dropped=dropped)


class _LineOf:
    """1-based line of an offset; counts newlines from the last offset asked (each pass asks in order)."""

    __slots__ = ("text", "pos", "line")

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def __call__(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


@lru_cache(maxsize=1 << 16)  # the same links recur across a corpus (a Zipf law): most calls are a hit
def split_wikilink(inner: str) -> tuple[str, str | None, str | None]:
    """`Target#Heading|label` → (target, anchor, label); `\\|` (escaped in tables) is a separator too."""
    target, sep, label = inner.partition("|")
    if target.endswith("\\"):
        target = target[:-1]
    target, _, anchor = target.partition("#")
    if anchor and "#" in anchor:  # [[Note#H1#H2]]: the innermost heading
        anchor = anchor.rsplit("#", 1)[-1]
    return target.strip(), (anchor.strip() or None), (label.strip() or None) if sep else None


def _wikilink(m: re.Match[str], line: int) -> LinkSpan:
    target, anchor, label = split_wikilink(m.group(1))
    return LinkSpan(m.start(), m.end(), line, "wikilink", m.group(0), target, anchor, label, m.group(0)[0] == "!")


def _is_local(dest: str) -> bool:
    return bool(dest) and not EXTERNAL.match(dest) and not dest.startswith(("//", "#"))


def _mdlink(m: re.Match[str], line: int) -> LinkSpan | None:
    dest = m.group(2).strip("<>")
    embed = m.group(0)[0] == "!"
    if not _is_local(dest):
        return None
    target, _, anchor = unquote(dest).partition("#")
    last = target.rsplit("/", 1)[-1]
    if not embed and not target.lower().endswith(".md") and (not last or "." in last):
        return None  # links to other local files are assets; `[x](Note)` without an extension is a note, as in Obsidian
    return LinkSpan(m.start(), m.end(), line, "mdlink", m.group(0), target, anchor or None, m.group(1) or None, embed)
