"""What a cold build's `on_files` makes of the index alone, made in a forked process beside discovery.

The backlinks' sentences (discovery's `contexts`) and the tag and type pages (~2.3 s of CPU at 10,000 entries)
ran in the main process after discovery, with the second core idle; the explorer's and typeahead's JSON (~0.4 s)
in the main process's share of the pages and at the build's end. They read the index only, so a process
forked once the index is known makes them while the main process loads jieba and runs discovery; their values
come back pickled (~16 MB at 10,000 entries, a tenth of a second). Same values either way: where no process can
be forked, or it failed, they are made here when asked (tests/site/test_plugin_beside.py).
"""
from __future__ import annotations

from typing import Any

from kbsync.view.discovery import PackedContexts, backlink_contexts

from . import forking, parallel
from .explorer import explorer_json
from .index import typeahead_json
from .pages import GenPage, TagPages, TypePages

PARTS = ("contexts", "tags", "types", "explorer", "typeahead")


class Beside:
    """The parts asked for (`want`), made in a forked process when one can be; each taken once with `take`."""

    def __init__(self, index: Any, rows: int, want: set[str], option: int) -> None:
        self.index, self.rows, self.want = index, rows, set(want)
        self.got: dict[str, Any] = {}
        self.job: forking.Later | None = None
        if self.want and len(index.public) >= parallel.MIN_PAGES and forking.can_fork(option):
            self.job = forking.beside(lambda: {p: self.make(p) for p in PARTS if p in self.want}, dict)

    def make(self, part: str) -> Any:
        if part == "contexts":
            return PackedContexts.of(backlink_contexts(self.index.public_records()))  # packed here, sent packed
        if part == "explorer":
            return explorer_json(self.index)
        if part == "typeahead":
            return typeahead_json(self.index)
        cls = TagPages if part == "tags" else TypePages
        pages: list[GenPage] = cls(self.index, self.rows).pages()
        return pages

    def wait(self) -> None:
        """The forked process's values in (it is reaped): before page workers fork, which must not inherit it."""
        if self.job is not None:
            job, self.job = self.job, None
            self.got = job()

    def take(self, part: str) -> Any:
        """The part's value: the forked process's if it made it, else made here."""
        self.wait()
        return self.got.pop(part) if part in self.got else self.make(part)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None
