"""Obsidian-flavoured Markdown for Python-Markdown: callouts become admonitions, %%comments%% vanish."""
from __future__ import annotations

import re

from markdown import Extension
from markdown.preprocessors import Preprocessor

from kbsync.derive.comments import comment_spans

FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
CALLOUT = re.compile(r"^(?P<indent>[ \t]*)>[ \t]?\[!(?P<type>[^\]\n]+)\](?P<fold>[-+]?)[ \t]*(?P<title>.*)$")
QUOTE = re.compile(r"^(?P<indent>[ \t]*)>")
TAG = re.compile(r"<[^<>]+>")  # not over `<`: linear on "<<<<..."


def _fence_close(line: str, fence: str) -> bool:
    s = line.strip()
    return s.startswith(fence[0] * len(fence)) and set(s) <= {fence[0]}


def _quoted_body(lines: list[str], start: int, indent: str) -> tuple[list[str], int]:
    """Lines of a blockquote starting at `start` (same indent, `>` prefix), with the prefix removed."""
    body: list[str] = []
    i = start
    while i < len(lines):
        m = QUOTE.match(lines[i])
        if not m or m.group("indent") != indent:
            break
        rest = lines[i][m.end():]
        body.append(rest[1:] if rest.startswith((" ", "\t")) else rest)
        i += 1
    return body, i


def _admonition_head(indent: str, kind: str, fold: str, title: str) -> str:
    klass = re.sub(r"[^\w-]+", "-", kind.strip().lower()).strip("-") or "note"
    marker = {"": "!!!", "-": "???", "+": "???+"}[fold]
    title = TAG.sub("", title).strip().replace('"', "\u201d")
    return f'{indent}{marker} {klass}' + (f' "{title}"' if title else "")


def convert_callouts(text: str) -> str:
    """Turn `> [!type]± Title` blockquotes (nested, any case, custom types) into admonitions/details."""
    return "\n".join(_convert(text.split("\n")))


MAX_DEPTH = 20  # nested quotes deeper than this stay as they are: each level re-reads its lines, recursively


def _convert(lines: list[str], depth: int = 0) -> list[str]:
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
        body, i = _quoted_body(lines, i, indent)
        if m:
            head = _admonition_head(indent, m.group("type"), m.group("fold"), m.group("title"))
            inner = _convert(body[1:], depth + 1)
            if out and out[-1].strip():
                out.append("")
            out.append(head)
            out.extend(f"{indent}    {x}" if x.strip() else "" for x in inner)
            out.append("")
        else:  # plain blockquote: keep it, but convert callouts nested inside
            inner = _convert(body, depth + 1)
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


class ObsidianExtension(Extension):
    """`kb_obsidian`: callouts → admonitions (comments are stripped by the plugin before link handling)."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown API)
        md.preprocessors.register(CalloutPreprocessor(md), "kb_callouts", 40)


def makeExtension(**kwargs):  # noqa: N802
    return ObsidianExtension(**kwargs)
