"""Snippet text without the Markdown left in an entry's plain text: table pipes and rules, math, footnotes."""
from __future__ import annotations

import re

# What `derive/text.py` keeps for search (a table's words must stay findable) but a reader should not see.
_NOISE = re.compile(
    r"\|"                       # table cell borders
    r"|(?<![\w-]):?-{3,}:?(?![\w-])"  # table rules, horizontal rules (`---`, `:---:`); not `a-b` or `x---y`
    r"|\[![\w-]+\][+-]?"        # callout markers `[!note]-`
    r"|\[\^[^\]\s]*\]"          # footnote references `[^1]`
    r"|(?<!\S)\^[\w-]+(?!\S)"   # block ids `^abc123`
    r"|\${1,2}"                 # math delimiters
    r"|(?<![\w&])#(?=\w|$)"     # `#tag`: the word stays (it may be the next, highlighted, piece)
    r"|(?<!\S)(?:>|#{1,6})(?=\s)"  # a quote or heading marker left inside a line
)
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Markup removed, runs of whitespace (line breaks included) made one space."""
    return _SPACES.sub(" ", _NOISE.sub(" ", text))
