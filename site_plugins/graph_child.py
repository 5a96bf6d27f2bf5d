"""The graph layout that runs behind a live site, in a niced child process (graph_layout's `__main__`)."""
from __future__ import annotations

import atexit
import json
import logging
import subprocess
import sys

log = logging.getLogger("mkdocs.plugins.kb")
_RUNNING: set[subprocess.Popen] = set()  # layout children, killed if this process exits first


def layout_in_child(n: int, pairs: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """Positions of `n` nodes linked by `pairs`, laid out in a child; None when it failed (logged)."""
    job = json.dumps({"n": n, "e": [c for p in pairs for c in p]}).encode()
    proc = subprocess.Popen([sys.executable, "-m", "site_plugins.graph_layout"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _RUNNING.add(proc)
    try:
        out, err = proc.communicate(job)
    finally:
        _RUNNING.discard(proc)
    if proc.returncode != 0:
        log.warning("kb: graph layout behind the site failed (%s): %s", proc.returncode,
                    err.decode(errors="replace").strip().splitlines()[-1:] or "")
        return None
    flat = json.loads(out)
    return list(zip(flat[::2], flat[1::2], strict=True))


@atexit.register
def _stop_children() -> None:
    for proc in list(_RUNNING):
        proc.kill()
