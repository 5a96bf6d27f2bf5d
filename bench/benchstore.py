"""A fresh SQLite store for a memory bench's run: `out/store/kb.sqlite`, synced from `content` unless asked not to."""
from __future__ import annotations

import shutil
from pathlib import Path


def fresh_store(out: Path, content: Path, sync: bool = True) -> str:
    """The store URL of a new store in `out/store` (an old one removed), synced from `content` when `sync`."""
    from kbsync.store import open_store
    from kbsync.sync import sync_content

    shutil.rmtree(out / "store", ignore_errors=True)
    (out / "store").mkdir(parents=True)
    store = f"sqlite:///{out / 'store' / 'kb.sqlite'}"
    if sync:
        st = open_store(store)
        try:
            sync_content(content, st)
        finally:
            st.close()
    return store
