"""What counts as a link, embed, mention or tag in a body, and what never does."""
import pytest

from kbsync.derive.spans import scan


def found(body: str, form: str | None = None) -> list[tuple]:
    return [(s.form, s.target, s.anchor, s.label, s.embed) for s in scan(body).spans if form in (None, s.form)]


@pytest.mark.parametrize("body, expect", [
    ("[[Target]]", [("wikilink", "Target", None, None, False)]),
    ("[[Target|label]]", [("wikilink", "Target", None, "label", False)]),
    ("[[Target#Heading]]", [("wikilink", "Target", "Heading", None, False)]),
    ("[[Target#Heading|label]]", [("wikilink", "Target", "Heading", "label", False)]),
    ("[[#Heading]]", [("wikilink", "", "Heading", None, False)]),
    ("[[Target#H1#H2]]", [("wikilink", "Target", "H2", None, False)]),
    ("[[Target#^block-id]]", [("wikilink", "Target", "^block-id", None, False)]),
    ("[[Target|label with # hash]]", [("wikilink", "Target", None, "label with # hash", False)]),
    ("![[Target]]", [("wikilink", "Target", None, None, True)]),
    ("![[image.png]]", [("wikilink", "image.png", None, None, True)]),
    ("![[Target#Section]]", [("wikilink", "Target", "Section", None, True)]),
    ("| a | [[T\\|lbl]] |\n|---|---|\n| [[U|v]] | x |", [("wikilink", "T", None, "lbl", False),
                                                        ("wikilink", "U", None, "v", False)]),
    ("[text](Other%20Note.md#part)", [("mdlink", "Other Note.md", "part", "text", False)]),
    ("![alt](img/pic.png)", [("mdlink", "img/pic.png", None, "alt", True)]),
    ("[site](https://example.com/a.md)", []),
    ("[filters](Filters)", [("mdlink", "Filters", None, "filters", False)]),  # Obsidian: a note name
    ("[pdf](files/report.pdf) [dir](folder/)", []),
    ("[ref]: notes/Ref.md", [("mdlink", "notes/Ref.md", None, None, False)]),
    ("[[Café Crème]] [[数据]] [[🚀 Launch]]", [("wikilink", "Café Crème", None, None, False),
                                             ("wikilink", "数据", None, None, False),
                                             ("wikilink", "🚀 Launch", None, None, False)]),
])
def test_links(body: str, expect: list[tuple]) -> None:
    assert found(body, "wikilink") + found(body, "mdlink") == expect


@pytest.mark.parametrize("body", [
    "`[[Inline Code]]`",
    "``code with ` and [[Link]]``",
    "```\n[[Fenced]]\n```",
    "~~~markdown\n[[Tilde Fenced]] @bob #tag\n~~~",
    "    [[Indented Code]]",
    "%%[[Commented]] @bob #tag%%",
    "%%\nmulti-line [[Comment]]\n%%",
    "<div>\n[[In HTML block]]\n</div>",
    "[[Unclosed",
    "[[]]",
])
def test_never_links(body: str) -> None:
    assert found(body) == []


@pytest.mark.parametrize("body, tags", [
    ("a #tag b", ["tag"]),
    ("#nested/tag/deep end", ["nested/tag/deep"]),
    ("#with-dash_and_9.", ["with-dash_and_9"]),
    ("#Ünïcödé", ["Ünïcödé"]),
    ("#123 is an issue, #y2024 a tag", ["y2024"]),
    ("# Heading #nottag", []),
    ("## Sub #nottag\ntext #yes", ["yes"]),
    ("C# and a&#39;b", []),
    ("http://x.com/#frag and <https://y.org/#frag>", []),
    ("[label](page.md#anchor)", []),
    ("[[Note#Heading]]", []),
    ("`#code`", []),
])
def test_tags(body: str, tags: list[str]) -> None:
    assert [t for _, t, *_ in found(body, "tag")] == tags


@pytest.mark.parametrize("body, handles", [
    ("hi @ada and @grace.", ["ada", "grace"]),
    ("mail ada@example.org", []),
    ("@first-last done", ["first-last"]),
    ("`@code` and\n\n```\n@fenced\n```", []),
    ("(@paren)", ["paren"]),
])
def test_mentions(body: str, handles: list[str]) -> None:
    assert [t for _, t, *_ in found(body, "mention")] == handles


def test_offsets_and_lines_point_at_the_source() -> None:
    body = "line one\n\ntext [[B|x]] and @ada\n"
    spans = scan(body).spans
    assert [(s.line, body[s.start:s.end]) for s in spans] == [(3, "[[B|x]]"), (3, "@ada")]


TRICKY = [
    "a\n```\ncode # x\n```\n# H\n", "```\nunclosed\n# not heading", "text\n````md\n```\ninner\n````\n## After",
    "~~~\n[[x]]\n~~~~\n# h", "```js `bad`\nnot fence\n```", "  ```\n  indented fence\n  ```\n# h",
    "# A\ntext\n===\n", "- item\n\n    code?\n", "> quote\n> ```\n> [[in code]]\n> ```", "<div>\n# x\n</div>\n# y",
    "para\n    not code (lazy continuation)\n", "\tcode\n# h",
]


def _reference_blocks(body: str):
    from kbsync.derive.spans import _mask_lines, _md

    lines = body.split("\n")
    toks = _md().parse(body)
    for t in toks:
        if t.type in ("fence", "code_block", "html_block") and t.map:
            _mask_lines(lines, t.map[0], t.map[1])
    heads = [(int(t.tag[1]), toks[i + 1].content, t.map[0]) for i, t in enumerate(toks) if t.type == "heading_open"]
    return heads, lines


def test_fast_paths_agree_with_markdown_it_on_real_and_tricky_bodies() -> None:
    """Bodies without block syntax skip markdown-it; on every body, both must find the same code and headings."""
    from kbsync.derive.spans import _blocks
    from kbsync.parse import parse_bytes
    from tests.conftest import VAULT

    bodies = [parse_bytes(str(p), p.read_bytes()).body for p in VAULT.rglob("*.md")] + TRICKY
    for body in bodies:
        lines = body.split("\n")
        headings, _ = _blocks(body, lines)
        assert (headings, lines) == _reference_blocks(body), body[:120]


# -- issue 9: linear patterns keep their meaning ------------------------------------------------

@pytest.mark.parametrize("body, spans", [
    ("`a` b `c`", [(0, 3), (6, 9)]),
    ("``a`b``", [(0, 7)]),
    ("``a` `b``", [(0, 9)]),
    ("`a\n\nb`", []),  # never across a blank line
    ("`a\nb`", [(0, 5)]),
    ("``a`", []),
    ("``a` ``", [(0, 7)]),
    ("```x```y`", [(0, 7)]),
    ("", []),
])
def test_code_spans(body: str, spans: list[tuple[int, int]]) -> None:
    from kbsync.derive.spans import code_spans

    assert code_spans(body) == spans


@pytest.mark.parametrize("body, expect", [
    ("[x](a(b).md)", [("mdlink", "a(b).md", None, "x", False)]),  # balanced parens, as CommonMark allows
    ("[x](<a b.md>)", [("mdlink", "a b.md", None, "x", False)]),
    ("[x](" * 3 + "[y](B.md)", [("mdlink", "B.md", None, "y", False)]),
])
def test_mdlink_destinations(body: str, expect: list[tuple]) -> None:
    assert found(body, "mdlink") == expect


@pytest.mark.parametrize("body, text", [
    ("# Title #", "Title"),
    ("# Title ###   ", "Title"),
    ("# Title#", "Title#"),
    ("## #", ""),
    ("# a" + " " * 1000 + "b", "a" + " " * 1000 + "b"),
])
def test_atx_closing_sequence(body: str, text: str) -> None:
    assert [(h[1]) for h in scan(body).headings] == [text]


def test_huge_bodies_get_bounded_work() -> None:
    """Past the caps: no block parser, no more than MAX_SPANS spans, and the scan says so."""
    from kbsync.derive.spans import BLOCK_PARSER_MAX_LINES, MAX_SPANS

    quoted = scan("> q\n" * (BLOCK_PARSER_MAX_LINES + 1) + "```\n[[in code]]\n```\n[[out]]")
    assert quoted.limited and [s.target for s in quoted.spans] == ["out"]
    many = scan("[[a]] " * (MAX_SPANS + 5))
    assert len(many.spans) == MAX_SPANS and many.dropped == 5 and not many.limited
