"""The topics page after an edit, from sections kept between follow-ups: a topic's section (its entries sorted
and printed by title) is made again only when its entries, label or anchor changed or an entry it lists moved
what pages show of it. Making every section lists every public entry: about a second at 10,000 entries for each
hidden, shown or retitled entry (nearly every entry is in some topic)."""
from __future__ import annotations

from typing import Any

STATE = "topic_sections"  # LastBuild.state key: (label, anchor, entries) -> the section's HTML


def topics_pages(b: Any, found: Any, moved: set[str]) -> list[Any]:
    """`found.pages()`, reusing the sections kept on the last build `b` that list none of `moved` (slugs whose
    title or visibility moved since they were made)."""
    memo: dict[tuple[str, str, tuple[str, ...]], str] = b.state.get(STATE, {})
    used: dict[tuple[str, str, tuple[str, ...]], str] = {}

    def section(t: dict[str, Any]) -> str:
        label = str(t["label"])
        key = (label, found.anchor[label], tuple(t["entries"]))
        got = memo.get(key)
        if got is None or moved.intersection(key[2]):
            got = found.section(t)
        used[key] = got
        return got

    pages = found.pages(section)
    b.state[STATE] = used  # sections of topics no longer shown are dropped
    return list(pages)
