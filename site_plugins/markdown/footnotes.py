"""Obsidian inline footnotes `^[note]` → ordinary footnotes (`[^kb-n]` plus a definition at the end)."""
from __future__ import annotations

from markdown import Extension
from markdown.preprocessors import Preprocessor

from kbsync.derive.spans import scan


def _close(masked: str, start: int) -> int | None:
    """Index of the `]` closing the `[` at `start` (brackets nest, a blank line ends the search)."""
    depth = 0
    for i in range(start, len(masked)):
        ch = masked[i]
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        elif ch == "\n" and masked.startswith("\n", i + 1) or masked.startswith("\n \n", i):
            return None
    return None


def inline_footnotes(text: str, prefix: str = "kb-") -> str:
    """Rewrite every `^[note]` outside code (the core's masker decides what code is) as a numbered footnote."""
    if "^[" not in text:
        return text
    masked = scan(text).masked
    out, notes, pos = [], [], 0
    i = masked.find("^[")
    while i >= 0:
        end = _close(masked, i + 1)
        if end is not None and text[i:i + 2] == "^[":
            notes.append(" ".join(text[i + 2:end].split()))  # a definition is one line
            out.append(text[pos:i] + f"[^{prefix}{len(notes)}]")
            pos = end + 1
        i = masked.find("^[", max(pos, i + 2))
    if not notes:
        return text
    out.append(text[pos:])
    defs = "".join(f"\n[^{prefix}{n}]: {note}" for n, note in enumerate(notes, 1))
    return "".join(out).rstrip("\n") + "\n\n" + defs.lstrip("\n") + "\n"


class InlineFootnotePreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return inline_footnotes("\n".join(lines)).split("\n")


class InlineFootnoteExtension(Extension):
    """`site_plugins.markdown.footnotes` (needs Python-Markdown's `footnotes`)."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown API)
        md.preprocessors.register(InlineFootnotePreprocessor(md), "kb_inline_footnotes", 35)


def makeExtension(**kwargs):  # noqa: N802
    return InlineFootnoteExtension(**kwargs)
