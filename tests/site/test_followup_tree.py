"""The explorer tree a follow-up patches when an entry is hidden or shown equals the tree made again."""
from __future__ import annotations

import copy

import pytest

from site_plugins.explorer import explorer_tree
from site_plugins.followup_tree import toggle


class _Index:
    def __init__(self, paths: dict[str, str], public: set[str], chapters: dict[str, list[str]] | None = None) -> None:
        self.records = {s: {"path": p, "title": s.split("/")[-1].title(), "chapters": (chapters or {}).get(s)}
                        for s, p in paths.items()}
        self.public = set(public)

    def title(self, s: str) -> str:
        return self.records[s]["title"]

    def page_url(self, s: str) -> str:
        return f"{s}/"

    def is_public(self, s: str) -> bool:
        return s in self.public


PATHS = {"a/x": "a/x.md", "a/y": "a/y.md", "a/b/z": "a/b/z.md", "top": "top.md", "c/only": "c/only.md",
         "d/doc": "d/doc.md", "d/ch": "d/ch.md", "d/w": "d/w.md", "Zed": "Zed.md"}
DOCS = {"d/doc": ["d/ch"]}
ALL = set(PATHS)
CASES = [  # (id, public before, the entry toggled, patched in place?)
    ("hide in a folder", ALL, "a/x", True),
    ("show in a folder", ALL - {"a/x"}, "a/x", True),
    ("hide at the root", ALL, "top", True),
    ("show at the root, capitalised", ALL - {"Zed"}, "Zed", True),
    ("hide in a folder with sub-folders", ALL - {"a/x"}, "a/y", True),
    ("the folder would empty", ALL, "c/only", False),
    ("the folder would be its document's row", ALL, "d/w", False),
    ("a folder would appear", ALL - {"c/only"}, "c/only", False),
]


@pytest.mark.parametrize(("public", "slug", "patched"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_toggled_tree_equals_the_tree_made_again(public: set[str], slug: str, patched: bool) -> None:
    index = _Index(PATHS, public, DOCS)
    tree = copy.deepcopy(explorer_tree(index))
    shown = slug not in public
    index.public = public | {slug} if shown else public - {slug}
    assert toggle(tree, PATHS[slug], index.page_url(slug), index.title(slug), shown) is patched
    if patched:
        assert tree == explorer_tree(index)
