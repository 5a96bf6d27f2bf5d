"""Task list items with any one-character state (`[ ]`, `[x]`, `[/]`, `[-]`, `[>]`…) as styled checkboxes."""
from __future__ import annotations

import re
from html import escape
from xml.etree.ElementTree import Element

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

# Obsidian: any single character between the brackets is a state; a space is "todo", anything else is checked.
TASK = re.compile(r"^ *\[(?P<state>[^\]\n])\] +(?P<rest>.*)", re.DOTALL)


def checkbox(state: str) -> str:
    """Material's custom checkbox markup, carrying the state as `data-task` (Obsidian and its themes do)."""
    checked = " checked" if state != " " else ""
    return (f'<label class="task-list-control"><input type="checkbox" disabled data-task="{escape(state)}"{checked}/>'
            '<span class="task-list-indicator"></span></label> ')


class TaskTreeprocessor(Treeprocessor):
    """Runs before pymdownx.tasklist (which only knows `[ ]`/`[x]`) and before inline parsing."""

    def _mark(self, holder: Element) -> str | None:
        m = TASK.match(holder.text or "")
        if not m:
            return None
        holder.text = self.md.htmlStash.store(checkbox(m.group("state"))) + m.group("rest")
        return m.group("state")

    def run(self, root: Element) -> None:
        parents = {c: p for p in root.iter() for c in p}
        for li in list(root.iter("li")):
            if li.text and li.text.strip():
                state = self._mark(li)
            elif len(li) and li[0].tag == "p":  # loose list: the checkbox sits in the first paragraph
                state = self._mark(li[0])
            else:
                state = None
            if state is None:
                continue
            li.set("class", " ".join(filter(None, [li.get("class"), "task-list-item"] + (["is-checked"] if state != " " else []))))
            li.set("data-task", state)
            parent = parents.get(li)
            if parent is not None and "task-list" not in (parent.get("class") or "").split():
                parent.set("class", " ".join(filter(None, [parent.get("class"), "task-list"])))


class TasksExtension(Extension):
    """`site_plugins.markdown.tasks`: Obsidian task states."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown API)
        md.treeprocessors.register(TaskTreeprocessor(md), "kb_tasks", 26)


def makeExtension(**kwargs):  # noqa: N802
    return TasksExtension(**kwargs)
