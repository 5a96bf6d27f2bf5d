"""Python-Markdown's inline pass and Pygments' formatter set-up with less CPU, their output unchanged.

The inline pass tries every inline pattern on every piece of text: ~100 tries a page, each a Python call that
looks the pattern up in a `Registry` (sorting it), checks its excluded ancestors and asks for its regex before
the regex runs; about one try in seven matches. Here a try whose regex finds nothing from where the search
starts (so it could not have matched) is skipped in a loop over a list made once per conversion; a try that
may match takes Python-Markdown's own path. Pygments' HTML formatter, made for every highlighted block, builds
its style table (the same for one style) each time: it is built once per style and copied.
Several patterns' regexes start with a lookbehind, so the regex engine tries them at every position of the text:
arithmatex's inline math (half of the inline pass's regex time at 10,000 pages), the code span, links. None can
match text without the characters every one of their forms needs (`NEEDS`), which `in` finds at C speed.
Byte-identical: `tests/site/test_mdfast.py` compares with Python-Markdown's and Pygments' own.
"""
from __future__ import annotations

from types import MethodType
from typing import Any

import markdown
from markdown import util
from markdown.inlinepatterns import InlineProcessor as InlinePattern
from markdown.treeprocessors import InlineProcessor
from pygments.formatters.html import HtmlFormatter

ENABLED = True  # tests compare against Python-Markdown's own inline pass
# `_handle_inline` stands in for a private method of Python-Markdown 3's inline pass: another major version, or one
# without that method, keeps its own (slower, never wrong).
SUPPORTED = markdown.__version_info__[0] == 3 and hasattr(InlineProcessor, "_InlineProcessor__handleInline") \
    and hasattr(InlineProcessor, "_InlineProcessor__applyPattern")
_STYLES: dict[tuple[Any, ...], tuple[dict[Any, str], dict[str, Any]]] = {}
_orig_stylesheet = HtmlFormatter._create_stylesheet
# pattern name -> (its class, characters one of which every match of its regex contains): arithmatex's inline
# math (`$..$` or `\\(..\\)` in each of its forms), the code span, links and references, emphasis. Another class
# under the name (a site's own extension) is not skipped; tests/site/test_mdfast.py checks the characters.
NEEDS = {"arithmatex-inline": ("pymdownx.arithmatex.InlineArithmatexPattern", ("$", "\\")),
         "backtick": ("markdown.inlinepatterns.BacktickInlineProcessor", ("`",)),
         "link": ("markdown.inlinepatterns.LinkInlineProcessor", ("[",)),
         "reference": ("markdown.inlinepatterns.ReferenceInlineProcessor", ("[",)),
         "short_reference": ("markdown.inlinepatterns.ShortReferenceInlineProcessor", ("[",)),
         "em_strong": ("markdown.inlinepatterns.DelimiterProcessor", ("*", "_"))}


def _needs(name: str, pattern: Any) -> tuple[str, ...]:
    cls, chars = NEEDS.get(name, ("", ()))
    return chars if f"{type(pattern).__module__}.{type(pattern).__qualname__}" == cls else ()


Try = tuple[Any, Any, tuple[str, ...], tuple[str, ...]]


def _tries(processor: Any) -> list[Try | None]:
    """Per pattern in order: (pattern, its regex, its excluded ancestors lowered, the characters it needs), None
    for an old-style pattern."""
    out: list[Try | None] = []
    registry = processor.inlinePatterns
    registry._sort()  # the order `registry[i]` gives
    for item in registry._priority:
        pattern = registry[item.name]
        if isinstance(pattern, InlinePattern):
            out.append((pattern, pattern.getCompiledRegExp(), tuple(e.lower() for e in pattern.ANCESTOR_EXCLUDES),
                        _needs(item.name, pattern)))
        else:
            out.append(None)
    return out


def _handle_inline(self: Any, data: str, patternIndex: int = 0) -> str:  # noqa: N803 (Python-Markdown's name)
    """`InlineProcessor.__handleInline`, a try that cannot match skipped before Python-Markdown's own."""
    if isinstance(data, util.AtomicString):
        return data
    tries = self._kb_tries
    apply = self._InlineProcessor__applyPattern
    ancestors = self.ancestors
    start = 0
    count = len(tries)
    while patternIndex < count:
        t = tries[patternIndex]
        if t is not None:
            pattern, regex, excludes, needs = t
            # What `__applyPattern` answers without a side effect: an excluded ancestor, or no match at all
            if (needs and all(c not in data for c in needs) or excludes and any(e in ancestors for e in excludes)
                    or regex.search(data, start) is None):
                patternIndex += 1
                start = 0
                continue
        else:
            pattern = self.inlinePatterns[patternIndex]
        data, matched, start = apply(pattern, data, patternIndex, start)
        if not matched:
            patternIndex += 1
    return data


def _run(self: Any, tree: Any, ancestors: Any = None) -> Any:
    self._kb_tries = _tries(self)  # the patterns as they are for this conversion
    return type(self).run(self, tree, ancestors)


def _create_stylesheet(self: Any) -> None:
    """`HtmlFormatter._create_stylesheet`, computed once per style and class prefix, copied for each formatter."""
    key = (type(self), self.style, self.classprefix)
    got = _STYLES.get(key)
    if got is None:
        _orig_stylesheet(self)
        got = _STYLES[key] = (dict(self.ttype2class), dict(self.class2style))
        return
    self.ttype2class, self.class2style = dict(got[0]), dict(got[1])


def speed_up(md: Any) -> Any:
    """Give `md`'s inline pass the skip above (once per converter); Pygments' formatters their shared table."""
    if not ENABLED:
        HtmlFormatter._create_stylesheet = _orig_stylesheet  # type: ignore[method-assign]
        return md
    HtmlFormatter._create_stylesheet = _create_stylesheet  # type: ignore[method-assign]
    inline = md.treeprocessors["inline"] if "inline" in md.treeprocessors and SUPPORTED else None
    if inline is not None and not hasattr(inline, "_kb_tries"):
        inline._kb_tries = []
        inline._InlineProcessor__handleInline = MethodType(_handle_inline, inline)
        inline.run = MethodType(_run, inline)
    return md
