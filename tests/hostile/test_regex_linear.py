"""Every pattern applied to user text runs in linear time (issue 9, point 4).

Each compiled pattern of the modules that read bodies, titles and front matter is run over 100 KB
adversarial inputs (one pattern piece repeated: `[x](`, `[[`, `` ` ``, `<`, ...) and must finish within
50x its own time on 100 KB of ordinary prose, measured in the same run (with a small absolute floor
for timer noise). An input that many matches make slower must still scale linearly: doubling it may
not cost more than 3x (a quadratic one costs 4x). Every check is a ratio of times taken in the same run:
no wall-clock cap, which a loaded machine breaks. `bench/regex_linear.py` prints the absolute times
against a cap. A quadratic pattern takes seconds to minutes here (`[x](` * 25,000 took 36 s before issue 9).
"""
from __future__ import annotations

import gc
import random
import re
import sys
import time
from collections.abc import Callable
from types import ModuleType

import frontmatter
import pytest

from kbsync import parse, paths
from kbsync.build import build_record
from kbsync.derive import Options, headings, links, mentions, relations, spans, tags, text, title
from kbsync.parse import parse_bytes
from site_plugins.markdown import obsidian

SIZE = 100_000
RATIO = 50  # adversarial time <= RATIO x prose time ...
FLOOR = 0.05  # ... or this many seconds, whichever is larger (timer noise on a busy 2-core machine) ...
GROWTH = 3.0  # ... or else twice the input may cost at most this many times as much (linear: 2, quadratic: 4)

MODULES: list[ModuleType] = [spans, text, headings, links, mentions, relations, tags, title, paths, parse, obsidian]
PIECES = ["[x](", "[x](<", '[x](a "', "[[", "![", "[", "]", "](", "(", "[a[", "[a]: ", "[!", "`", "``",
          "``a`", "```", "~~~", "%%", "#", "# ", "#a/", "\n#", "@", "@a.", "@a-", "<", "<a:", "</", "http:",
          "\n", "\n\n", " ", "\t", "-", "=", "> ", "- ", "1. ", "*", "_", "a", "\\", "|", "---\n", "&"]
CONTEXTS = ["", "# a", "> [!note] ", "\n"]  # as a paragraph, a heading, a callout title, line starts


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    out = [(f"{m.__name__}.{name}", value) for m in MODULES for name, value in vars(m).items()
           if isinstance(value, re.Pattern) and isinstance(value.pattern, str)]
    out.append(("frontmatter.YAMLHandler.FM_BOUNDARY", frontmatter.YAMLHandler.FM_BOUNDARY))
    return sorted(out)


def _prose(size: int = SIZE) -> str:
    """Ordinary notes: sentences with the odd link, tag, mention, code span, heading and list."""
    rnd = random.Random(9)
    words = "the a of squat form knee depth load tempo week plan notes bar grip set rest".split()
    extras = ["[[Back Squat]]", "[form](Form.md)", "#strength", "@coach", "`code`", "https://example.com/x",
              "<b>bold</b>", "%%aside%%", "**strong**"]
    out: list[str] = []
    n = 0
    while n < size:
        line = " ".join(rnd.choice(words) for _ in range(rnd.randint(6, 16)))
        if rnd.random() < 0.3:
            line += " " + rnd.choice(extras)
        line = rnd.choice(["", "", "", "- ", "## ", "> "]) + line.capitalize() + ".\n"
        out.append(line + ("\n" if rnd.random() < 0.3 else ""))
        n += len(out[-1])
    return "".join(out)[:size]


def _adversarial() -> list[tuple[str, str]]:
    return [(f"{ctx!r}+{piece!r}*n", ctx + piece * (SIZE // len(piece)))
            for ctx in CONTEXTS for piece in PIECES]


def _run_pattern(pattern: re.Pattern[str]) -> Callable[[str], object]:
    def run(s: str) -> object:
        for _ in pattern.finditer(s):
            pass
        if "\n" in s:  # patterns used with .match on each line (callouts, fences)
            for line in s.split("\n"):
                pattern.match(line)
        return pattern.match(s)
    return run


def _seconds(fn: Callable[[str], object], s: str, tries: int = 1) -> float:
    """Best of `tries`, with the cyclic GC off: a collection of the whole test session's heap landing in one
    timing made a linear pattern look superlinear (41 ms, then 139 ms for twice the input)."""
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(tries):
            t0 = time.perf_counter()
            fn(s)
            best = min(best, time.perf_counter() - t0)
    finally:
        if enabled:
            gc.enable()
    return best


def _superlinear(fn: Callable[[str], object], s: str) -> str | None:
    """Twice the input costing over GROWTH times as much, three times in a row (one slow moment is load)."""
    for _ in range(3):
        t1, t2 = _seconds(fn, s, tries=3), _seconds(fn, s + s, tries=3)
        if t2 <= GROWTH * t1:
            return None
    return f"{t1 * 1000:.0f} ms, {t2 * 1000:.0f} ms for twice the input"


def _assert_linear(fn: Callable[[str], object], what: str) -> None:
    prose = _seconds(fn, _prose(), tries=3)
    limit = max(RATIO * prose, FLOOR)
    slow = []
    for name, s in _adversarial():
        t = _seconds(fn, s)
        if t > limit:
            t = min(t, _seconds(fn, s, tries=2))  # a busy machine: look again before blaming the pattern
        if t > limit and (why := _superlinear(fn, s)):
            slow.append(f"{name}: {why}")
    assert not slow, f"{what} is not linear (prose {prose * 1000:.1f} ms, limit {limit * 1000:.0f} ms): {slow}"


@pytest.mark.parametrize("exponent, linear", [(1.0, True), (1.3, True), (2.0, False)])
def test_the_ratio_check_catches_superlinear_growth(exponent: float, linear: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself, on a simulated clock: a step costing n ** exponent (doubling n: 2x, 2.5x, 4x)."""
    monkeypatch.setattr(sys.modules[__name__], "_seconds",
                        lambda fn, s, tries=1: (len(s) / SIZE) ** exponent)
    assert (_superlinear(len, "x" * SIZE) is None) is linear


def test_every_pattern_is_in_the_table() -> None:
    names = {n for n, _ in _patterns()}
    assert {"kbsync.derive.spans.MDLINK", "kbsync.derive.spans.WIKILINK", "kbsync.derive.text._HTML",
            "kbsync.paths._TAGS", "site_plugins.markdown.obsidian.CALLOUT"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize("name, pattern", _patterns(), ids=[n for n, _ in _patterns()])
def test_pattern_is_linear(name: str, pattern: re.Pattern[str]) -> None:
    _assert_linear(_run_pattern(pattern), name)


STEPS: list[tuple[str, Callable[[str], object]]] = [
    ("spans.code_spans", spans.code_spans),
    ("spans.scan", spans.scan),
    ("text.inline_plain", text.inline_plain),
    ("paths.heading_anchor", lambda s: paths.heading_anchor.__wrapped__(s)),
    ("obsidian.convert_callouts", obsidian.convert_callouts),
    ("parse + derive", lambda s: build_record(parse_bytes("x.md", s.encode()), Options())),
    ("parse + derive (in front matter)", lambda s: build_record(parse_bytes(
        "x.md", ("---\ntitle: " + s.replace("\n", " ")[:SIZE] + "\n---\n").encode()), Options())),
]


@pytest.mark.parametrize("name, fn", STEPS, ids=[n for n, _ in STEPS])
def test_whole_steps_are_linear(name: str, fn: Callable[[str], object]) -> None:
    """The patterns as the code uses them, plus everything around them (markdown-it, masking, derivers)."""
    _assert_linear(fn, name)
