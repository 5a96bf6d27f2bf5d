"""Queries in pages: Dataview's DQL (and Obsidian Bases) over kb entry records."""
from __future__ import annotations

from .engine import Result, run
from .pages import PageSet
from .parser import Query, parse
from .render import error_html, render_html, result_html
from .values import Duration, Link, QueryError

__all__ = ["Duration", "Link", "PageSet", "Query", "QueryError", "Result", "error_html", "parse", "render_html",
           "result_html", "run"]
