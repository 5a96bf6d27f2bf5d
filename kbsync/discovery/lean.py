"""Imports without the optional extras a library loads whenever they happen to be installed and kb never calls.

igraph imports matplotlib (its drawing) and nltk imports scipy.stats (one collocation measure) when they are
there: ~0.5 and ~0.4 s of CPU in the build process of every cold site build, on a machine that has them (the
dev install does: matplotlib is a notebook dependency). Both libraries fall back by themselves when the extra
is missing, and kb uses neither the drawing nor that measure, so their import sees the extra as not installed.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without(*names: str) -> Iterator[None]:
    """Inside, importing one of `names` fails as if it were not installed, unless it is imported already (then
    nothing changes). Afterwards they import as usual. (For imports at start-up: a thread importing one of them
    meanwhile would fail too.)"""
    blocked = [n for n in names if n not in sys.modules]
    for n in blocked:
        sys.modules[n] = None  # type: ignore[assignment]  # `import n` then raises ModuleNotFoundError
    try:
        yield
    finally:
        for n in blocked:
            if n in sys.modules and sys.modules[n] is None:
                del sys.modules[n]
