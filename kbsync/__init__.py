"""kbsync: turn a folder of front-matter Markdown into a linked, queryable index.

    import kbsync
    kb = kbsync.open("content")   # the store beside it, the public viewer
    kb.sync(); kb.search("squat"); kb.get("Back Squat"); kb.graph()
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .visibility import OWNER, PUBLIC, TOKEN, can_see

if TYPE_CHECKING:
    from .kb import KB

__version__ = "0.1.0"
__all__ = ["KB", "OWNER", "PUBLIC", "TOKEN", "can_see", "entry_json", "open"]


def open(content: Any = "content", store: Any = None, *, viewer: Any = PUBLIC, settings: Any = None) -> KB:
    """`kbsync.kb.open`: imported late, so `kb --help` does not load the search engines."""
    from .kb import open as _open

    return _open(content, store, viewer=viewer, settings=settings)


def __getattr__(name: str) -> Any:
    if name == "KB":
        from .kb import KB

        return KB
    if name == "entry_json":
        from .export import entry_json

        return entry_json
    raise AttributeError(f"module 'kbsync' has no attribute {name!r}")
