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


def test_precompile_follows_literal_names_and_a_later_environment_renders_from_the_cache(tmp_path: Path,
                                                                                          monkeypatch) -> None:
    """What `precompile` compiles before page workers fork is what a render loads; names it cannot resolve (a
    dynamic include, a missing file) are left to be compiled where used, and edits still show."""
    from site_plugins import jinjacache

    cache = MemoryBytecodeCache()
    monkeypatch.setattr(jinjacache, "SHARED", cache)
    files = {"main.html": '{% extends "base.html" %}{% block b %}{% include "partials/a.html" %}{% endblock %}',
             "base.html": '<{% block b %}{% endblock %}>{% include "gone.html" ignore missing %}',
             "partials/a.html": "{% from 'macros.html' import m %}{{ m(name) }}{% include 'x' ~ name %}",
             "macros.html": "{% macro m(x) %}[{{ x }}]{% endmacro %}", "unused.html": "never loaded"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "xkb").write_text("!", encoding="utf-8")
    env = Environment(loader=FileSystemLoader(str(tmp_path)))
    assert jinjacache.precompile(env, ["main.html"]) == 4  # main, base, a, macros (not gone, unused or xkb)
    assert len(cache.data) == 4
    (tmp_path / "macros.html").write_text("{% macro m(x) %}({{ x }}){% endmacro %}", encoding="utf-8")
    later = Environment(loader=FileSystemLoader(str(tmp_path)), bytecode_cache=cache)
    assert later.get_template("main.html").render(name="kb") == "<(kb)!>"
