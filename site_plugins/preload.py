"""Libraries every process of a build would load on its own, loaded once before the build forks.

jieba's dictionary (~0.8 s of CPU and ~80 MB a load) is loaded lazily by each process that meets Chinese
or Japanese text: discovery's profile workers, then Material's search in every page worker. Loaded in the
main process before discovery and the page workers fork, they share it. Only a site with such text pays.
"""
from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # kbsync.discovery.lang's runs


def preload_jieba(records: Iterable[Mapping[str, Any]]) -> bool:
    """Load jieba's dictionary now when an entry's title or text has CJK characters; True when loaded."""
    loaded = sys.modules.get("jieba")
    if loaded is not None and getattr(getattr(loaded, "dt", None), "initialized", False):
        return True  # (a rebuild in the same process: nothing to scan for)
    if not any(CJK.search(str(r.get("title") or "")) or CJK.search(str(r.get("text") or "")) for r in records):
        return False
    try:
        import jieba
    except ImportError:  # Material's search and discovery then segment without it
        return False
    from kbsync.discovery.jiebafreq import initialize

    jieba.setLogLevel(logging.WARNING)  # its load chatter is DEBUG lines on stderr in every build log
    initialize(jieba)  # the dictionary Material's `jieba_dict` set in on_config, if any: the one a lazy load reads
    return True
