"""Obsidian-flavoured Markdown for Python-Markdown: callouts become admonitions, %%comments%% vanish."""
from __future__ import annotations

import re

from markdown import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from kbsync.derive.comments import comment_spans

FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
CALLOUT = re.compile(r"^(?P<indent>[ \t]*)>[ \t]?\[!(?P<type>[^\]\n]+)\](?P<fold>[-+]?)[ \t]*(?P<title>.*)$")
QUOTE = re.compile(r"^(?P<indent>[ \t]*)>")
TAG = re.compile(r"<[^<>]+>")  # not over `<`: linear on "<<<<..."
# Lines that start a block of their own, so they never continue a quoted paragraph lazily
BLOCK_START = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|[-*+][ \t]|\d+[.)][ \t]|`{3,}|~{3,}|<|\||(?:[-*_][ \t]*){3,}$)")
CALLOUT_HEAD = re.compile(r"^\[![^\]\n]+\][-+]?")


def _fence_close(line: str, fence: str) -> bool:
    s = line.strip()
    return s.startswith(fence[0] * len(fence)) and set(s) <= {fence[0]}


def _quoted_body(lines: list[str], start: int, indent: str, lazy: bool = True) -> tuple[list[str], int]:
    """Lines of a blockquote starting at `start` (same indent, `>` prefix), with the prefix removed."""
    body: list[str] = []
    i = start
    fence: str | None = None
    while i < len(lines):
        m = QUOTE.match(lines[i])
        if not m or m.group("indent") != indent:
            if lazy and not fence and _lazy(lines[i], body, indent):
                body.append(lines[i].strip())  # a lazy continuation line stays in the quote (CommonMark)
                i += 1
                continue
            break
        rest = lines[i][m.end():]
        body.append(rest[1:] if rest.startswith((" ", "\t")) else rest)
        fm = FENCE.match(body[-1])
        if fence and _fence_close(body[-1], fence):
            fence = None
        elif not fence and fm:
            fence = fm.group(1)
        i += 1
    return body, i


def _lazy(line: str, body: list[str], indent: str) -> bool:
    """Does `line` (no `>`) continue the paragraph the quote's last line is in?"""
    if not line.strip() or not body or not body[-1].strip() or not line.startswith(indent):
        return False
    return not BLOCK_START.match(line) and not BLOCK_START.match(body[-1]) or bool(CALLOUT_HEAD.match(body[-1]))


def _admonition_head(indent: str, kind: str, fold: str, title: str) -> str:
    klass = re.sub(r"[^\w-]+", "-", kind.strip().lower()).strip("-") or "note"
    marker = {"": "!!!", "-": "???", "+": "???+"}[fold]
    title = TAG.sub("", title).strip().replace('"', "\u201d")
    return f'{indent}{marker} {klass}' + (f' "{title}"' if title else "")


def convert_callouts(text: str) -> str:
    """Turn `> [!type]± Title` blockquotes (nested, any case, custom types) into admonitions/details."""
    return "\n".join(_convert(text.split("\n")))


MAX_DEPTH = 20  # nested quotes deeper than this stay as they are: each level re-reads its lines, recursively


def _convert(lines: list[str], depth: int = 0, lazy: bool = True) -> list[str]:
    """`lazy`: at the top level only; inside a quote a `>`-less line was already a line of the outer quote."""
    if depth > MAX_DEPTH:
        return lines
    out: list[str] = []
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if fence:
            out.append(line)
            if _fence_close(line, fence):
                fence = None
            i += 1
            continue
        fm = FENCE.match(line)
        if fm:
            fence = fm.group(1)
            out.append(line)
            i += 1
            continue
        m = CALLOUT.match(line)
        q = QUOTE.match(line)
        if not m and not q:
            out.append(line)
            i += 1
            continue
        indent = (m or q).group("indent")  # type: ignore[union-attr]
        body, i = _quoted_body(lines, i, indent, lazy)
        if m:
            head = _admonition_head(indent, m.group("type"), m.group("fold"), m.group("title"))
            inner = _convert(body[1:], depth + 1, lazy=False)
            if out and out[-1].strip():
                out.append("")
            out.append(head)
            out.extend(f"{indent}    {x}" if x.strip() else "" for x in inner)
            out.append("")
        else:  # plain blockquote: keep it, but convert callouts nested inside
            inner = _convert(body, depth + 1, lazy=False)
            out.extend(f"{indent}> {x}" if x else f"{indent}>" for x in inner)
    return out


def strip_comments(text: str) -> str:
    """Remove Obsidian `%%comments%%` (inline or multi-line; unclosed runs to the end), never inside code: the
    core's masker, so the site hides exactly what the index leaves out."""
    out, pos = [], 0
    for a, b in comment_spans(text):
        out.append(text[pos:a])
        pos = b
    out.append(text[pos:])
    return "".join(out)


class CalloutPreprocessor(Preprocessor):
    """Runs before fenced code and admonition parsing."""

    def run(self, lines: list[str]) -> list[str]:
        return _convert(lines)


class CalloutTypeTreeprocessor(Treeprocessor):
    """`data-callout="type"` on each admonition/details, as Obsidian marks callouts (vault CSS selects on it)."""

    def run(self, root) -> None:  # noqa: ANN001
        for el in root.iter():
            classes = (el.get("class") or "").split()
            if el.tag == "div" and "admonition" in classes or el.tag == "details":
                kind = next((c for c in classes if c not in ("admonition", "kb-embed")), None)
                if kind and "kb-embed" not in classes:
                    el.set("data-callout", kind)


class EmbedTocTreeprocessor(Treeprocessor):
    """After toc: headings of transcluded notes (`.kb-embed`) leave the host's table of contents."""

    def run(self, root) -> None:  # noqa: ANN001
        embedded = {h.get("id") for div in root.iter("div") if "kb-embed" in (div.get("class") or "").split()
                    for h in div.iter() if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and h.get("id")}
        if embedded and getattr(self.md, "toc_tokens", None):
            self.md.toc_tokens = _drop(self.md.toc_tokens, embedded)


def _drop(tokens: list[dict], ids: set) -> list[dict]:
    out = []
    for t in tokens:
        children = _drop(t.get("children", []), ids)
        if t.get("id") in ids:
            out.extend(children)  # a host heading nested under an embedded one moves up
        else:
            out.append({**t, "children": children})
    return out


class ObsidianExtension(Extension):
    """`kb_obsidian`: callouts → admonitions (comments are stripped by the plugin before link handling)."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown API)
        md.preprocessors.register(CalloutPreprocessor(md), "kb_callouts", 40)
        md.treeprocessors.register(CalloutTypeTreeprocessor(md), "kb_callout_types", 1)
        md.treeprocessors.register(EmbedTocTreeprocessor(md), "kb_embed_toc", 4)  # toc runs at 5


def makeExtension(**kwargs):  # noqa: N802
    return ObsidianExtension(**kwargs)
