"""The sped-up inline pass and Pygments formatters give exactly Python-Markdown's and Pygments' own HTML."""
from __future__ import annotations

import random
from typing import Any

import markdown
import pytest

from site_plugins import mdfast
from site_plugins.config import markdown_extensions
from site_plugins.plugin_markdown import _mermaid_format, toc_slugify

# Text where a skipped try would show: math in both syntaxes, escaped dollars and backslashes, code spans next to
# math, links and emphasis around them, math inside a link (excluded ancestors), code blocks highlighted twice
# with different options (the shared style table), tables, footnotes and marks.
DOCS = [
    "Inline $x^2$ and \\(y_1\\) and a price of \\$5 or $ 6 $.",
    "Escaped \\\\$a$ and \\\\\\(b\\) and `code $x$` then $`not code`$.",
    "``double `tick` span`` and `a\\` and \\`not code\\`.",
    "[link $m$](https://e.org) **bold $n$** _em `c`_ ==mark $p$== <span>$q$</span>",
    "No special characters here at all, just words.\nAnd a second line  \nwith a break.",
    "```python\ndef f(x):\n    return x  # $y$\n```\n\n```python linenums=\"1\" hl_lines=\"2\"\na = 1\nb = `2`\n```",
    "| a | b |\n|---|---|\n| $x$ | `y` |\n\nNote[^1].\n\n[^1]: with $z$ and `w`.",
    "- [ ] task with $t$\n- [x] done `d`\n\n> quote \\(q\\) $$not block$$ end",
    "$$\na^2 + b^2\n$$\n\nAfter \\[x\\] and $a$b$c$ and $$ inline $$ too.",
    "A [ref] and [text][ref] and [Ref][] and ![img](i.png) ![alt][ref] and *e* __s__ ***both*** _x_y_\n\n"
    "[ref]: https://e.org \"T\"",
    "Only bangs! and stars * and under_scores and a lone ] bracket.",
    "Placeholder-like \x02text\x03 and \ue000 0\ue001 and & entity &amp; and <https://auto.link>.",
]


def _converter(fast: bool) -> markdown.Markdown:
    ext = markdown_extensions("/nonexistent", False)
    cfgs: dict[str, Any] = {k: dict(v) for k, v in ext.items() if v}
    cfgs.setdefault("toc", {})["slugify"] = toc_slugify
    cfgs["pymdownx.superfences"] = {"custom_fences": [{"name": "mermaid", "class": "mermaid",
                                                       "format": _mermaid_format}]}
    md = markdown.Markdown(extensions=list(ext), extension_configs=cfgs)
    return mdfast.speed_up(md) if fast else md


@pytest.mark.parametrize("text", DOCS)
def test_same_html_as_python_markdown(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mdfast, "ENABLED", False)
    plain = _converter(False)
    want = [plain.reset().convert(text) for _ in range(2)]
    monkeypatch.setattr(mdfast, "ENABLED", True)
    fast = _converter(True)
    got = [fast.reset().convert(text) for _ in range(2)]  # twice: the second formatter takes the shared table
    assert got == want


def test_needed_characters_are_in_every_match() -> None:
    """A pattern skipped for lack of its characters could not have matched: random text, every match has one."""
    md = _converter(True)
    assert set(mdfast.NEEDS) <= set(p.name for p in md.inlinePatterns._priority)  # the table names real patterns
    rng = random.Random(16)
    alphabet = "$\\`()[]!ab x\n*_\x02\x03"
    for name, (_cls, needs) in mdfast.NEEDS.items():
        assert mdfast._needs(name, md.inlinePatterns[name]) == needs  # the class is the one named
        regex = md.inlinePatterns[name].getCompiledRegExp()
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
            for m in regex.finditer(text):
                assert any(c in text for c in needs), (name, text, m.group(0))
