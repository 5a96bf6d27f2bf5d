"""Theme templates compiled once per process: a new environment reuses the bytecode, an edited source does not."""
from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from site_plugins.jinjacache import MemoryBytecodeCache, share_compiled_templates


@pytest.mark.parametrize(("second_source", "expected"), [
    ("Hello {{ name }}!", "Hello kb!"),  # unchanged: served from the cache
    ("Bye {{ name }}.", "Bye kb."),  # edited between builds: compiled afresh, never the stale bytecode
])
def test_a_new_environment_renders_from_the_shared_cache(tmp_path: Path, second_source: str, expected: str) -> None:
    (tmp_path / "page.html").write_text("Hello {{ name }}!", encoding="utf-8")
    cache = MemoryBytecodeCache()
    first = Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache)
    assert first.get_template("page.html").render(name="kb") == "Hello kb!"
    assert len(cache.data) == 1
    (tmp_path / "page.html").write_text(second_source, encoding="utf-8")
    second = Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache)
    assert second.get_template("page.html").render(name="kb") == expected


def test_an_environment_with_its_own_cache_keeps_it() -> None:
    own = MemoryBytecodeCache()
    env = Environment(bytecode_cache=own)
    assert share_compiled_templates(env).bytecode_cache is own
    assert share_compiled_templates(Environment()).bytecode_cache is not None
