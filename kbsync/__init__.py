"""kbsync: turn a folder of front-matter Markdown into a linked, queryable index."""

__version__ = "0.1.0"
