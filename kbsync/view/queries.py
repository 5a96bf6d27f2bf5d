"""DQL queries on the read side: one page model per (store revision, viewer), built once, then only evaluated."""
from __future__ import annotations

import gc
import threading
from typing import Any

from ..visibility import PUBLIC, Viewer

API_TIME_LIMIT = 2.0  # seconds: stricter than the site build's budget, a request must not hold a worker
API_MAX_ROWS = 10_000  # rows alive at once


class QueryPages:
    """The PageSet each viewer sees at the store's current revision; older revisions are dropped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # concurrent first requests build one PageSet, not one each
        self._revision: int | None = None
        self._pages: dict[str, Any] = {}
        self.builds = 0  # PageSets built so far (tests check requests do not rebuild)

    def pages(self, store: Any, viewer: Viewer | str) -> Any:
        """The PageSet for `viewer` (cached until `store.revision()` moves)."""
        from ..query import PageSet

        rev = store.revision()
        with self._lock:
            if rev != self._revision:
                if self._pages:
                    gc.unfreeze()  # the old page models may hold cycles: let the collector see them again
                self._revision, self._pages = rev, {}
            ps = self._pages.get(viewer)
            if ps is None:
                files = {p: (f.mtime_ns, f.size) for p, f in store.file_states().items()}
                ps = self._pages[viewer] = PageSet(store.entries(), viewer, files)
                self.builds += 1
                # a PageSet is millions of long-lived objects: a full collection walking them paused a later
                # request by 1-2 s at 100,000 entries (past the time budget); collect now, then exempt them
                gc.collect()
                gc.freeze()
            return ps

    def query(self, store: Any, q: str, viewer: Viewer | str = PUBLIC, *, time_limit: float | None = None,
              max_rows: int | None = None) -> dict[str, Any]:
        """`kb query --json`'s answer for `q`; raises QueryError (invalid, or past a budget)."""
        from ..query import parse, run
        from ..query.engine import MAX_ROWS, TIME_LIMIT
        from ..query.output import result_json

        parsed = parse(q)  # an invalid query fails before any page model is built
        res = run(parsed, self.pages(store, viewer), viewer=viewer,
                  time_limit=TIME_LIMIT if time_limit is None else time_limit,
                  max_rows=MAX_ROWS if max_rows is None else max_rows)
        return result_json(res)
