"""Compiled theme templates kept between builds of one process (MkDocs makes a new Jinja environment per build).

A one-edit rebuild at 10,000 entries otherwise spends ~8% of its time compiling Material's ~40 templates
again. Jinja checks each template's source checksum before using cached bytecode, so an edited template
is compiled afresh.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class MemoryBytecodeCache(BytecodeCache):
    """Bytecode by template key, in memory for the life of the process."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.data.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.data[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.data.clear()


SHARED = MemoryBytecodeCache()


def share_compiled_templates(env: Any) -> Any:
    """Give a build's Jinja environment the process-wide bytecode cache (unless it has one of its own)."""
    if getattr(env, "bytecode_cache", None) is None:
        env.bytecode_cache = SHARED
    return env


# `{% extends/include/import/from "name" %}` with a literal name: what a render of a template will load.
_REFS = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"'\n]+)["']""")
ROOTS = ("main.html", "404.html")  # what MkDocs renders pages and the 404 page with


def precompile(env: Any, roots: Iterable[str] = ROOTS) -> int:
    """Compile the templates `roots` load (following literal names) into the shared bytecode cache; how many.

    Called before page workers fork (`parallel.py`): each would otherwise compile Material's ~45 templates itself
    (~0.25 s of CPU a process); from the cache it loads their bytecode. `env` must be made as the build's (the
    same theme, loader and options): Jinja keys the cache by name and file and checks each source's checksum, so
    a template this misses, or one that changed, is still compiled where it is used."""
    share_compiled_templates(env)
    seen: set[str] = set()
    done = 0
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
            env.get_template(name)
        except Exception:  # noqa: BLE001 - not there, or a filter a plugin adds later: compiled where used
            continue
        done += 1
        todo += _REFS.findall(source)
    return done


def precompile_theme(config: Any) -> int:
    """`precompile` on an environment made as a build's is by MkDocs and then `on_env` (navcache's loader)."""
    from .navcache import install

    env = config.theme.get_env()
    install(env, config, None, str(Path(__file__).resolve().parent / "overrides"))
    return precompile(env)
