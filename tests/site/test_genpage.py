"""A generated page gives back exactly the Markdown it was made with (held compressed when long: pages.GenPage)."""
from __future__ import annotations

import pickle

import pytest

from site_plugins.pages import PACK_FROM, GenPage

LONG = "# Tag\n\n" + "".join(f'<li><a href="../e{i}/">Entry {i}</a></li>' for i in range(400))
TEXTS = {
    "empty": "",
    "short": "# Topics\n",
    "at the threshold": "x" * PACK_FROM,
    "just over": "x" * (PACK_FROM + 1),
    "long list": LONG,
    "CJK and emoji": "# 标签 🏷️\n\n" + "中文内容，日本語のテキスト。" * 100,
    "lone surrogate (hostile input)": "# bad \udcff tag\n" + "y" * 2 * PACK_FROM,
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_markdown_round_trips(text: str) -> None:
    p = GenPage("_kb/tags/t.md", "tags/t/", "#t", text, files={"tags/t/rows.json": "[]"})
    assert p.markdown == text
    back = pickle.loads(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL))  # made in a forked process, sent back
    assert back == p and back.markdown == text and back.files == {"tags/t/rows.json": "[]"}


def test_markdown_replaced_and_fields_kept() -> None:
    p = GenPage("_kb/home.md", "", "Site", LONG)
    assert (p.dest_uri, p.entry, p.files) == ("index.html", False, {})
    p.markdown = "# New\n"
    assert p.markdown == "# New\n"
    assert p != GenPage("_kb/home.md", "", "Site", LONG)
    assert p == GenPage("_kb/home.md", "", "Site", "# New\n")
    assert GenPage("_kb/tags.md", "tags/", "Tags", LONG).dest_uri == "tags/index.html"
