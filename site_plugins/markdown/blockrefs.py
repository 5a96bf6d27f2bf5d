"""Obsidian block ids: a trailing `^id` marks its paragraph/list item (hidden, becomes the element's `id`)."""
from __future__ import annotations

from xml.etree.ElementTree import Element

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

from kbsync.derive.blocks import ALONE, TRAILING, block_source

__all__ = ["BlockRefExtension", "block_source", "makeExtension"]


class BlockRefTreeprocessor(Treeprocessor):
    """Before inline parsing: the marker is still the raw text's last word."""

    def _take(self, el: Element) -> str | None:
        m = TRAILING.search(el.text or "")
        if not m:
            return None
        el.text = el.text[: m.start()]  # type: ignore[index]
        return m.group("id")

    def run(self, root: Element) -> None:
        for parent in list(root.iter()):
            prev: Element | None = None
            for el in list(parent):
                if el.tag == "p" and not len(el) and ALONE.match(el.text or ""):
                    # `^id` on its own line after a table, list or quote names that block (Obsidian)
                    if prev is not None and "id" not in prev.attrib:
                        prev.set("id", "^" + ALONE.match(el.text or "").group("id"))  # type: ignore[union-attr]
                        parent.remove(el)
                        continue
                if el.tag in ("p", "li") and "id" not in el.attrib:
                    bid = self._take(el) if el.text and el.text.strip() else None
                    if bid is None and el.tag == "li" and len(el) and el[0].tag == "p":
                        bid = self._take(el[0])  # loose item: the id names the item, not its paragraph
                    if bid:
                        el.set("id", "^" + bid)
                prev = el


class BlockRefExtension(Extension):
    """`site_plugins.markdown.blockrefs`."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown API)
        md.treeprocessors.register(BlockRefTreeprocessor(md), "kb_blockrefs", 27)


def makeExtension(**kwargs):  # noqa: N802
    return BlockRefExtension(**kwargs)
