"""Slug, URL and anchor rules (table-driven, as Quartz's path tests)."""
import pytest

from kbsync.paths import heading_anchor, shared_prefix_len, slugify, url_for


@pytest.mark.parametrize("path, slug", [
    ("Note.md", "note"),
    ("Folder/Sub Folder/My Note.md", "folder/sub-folder/my-note"),
    ("notes/Café Crème.md", "notes/café-crème"),
    ("notes/Cafe\u0301.md", "notes/café"),  # NFD on disk (macOS) → NFC slug
    ("数据/知识库.md", "数据/知识库"),
    ("Москва.md", "москва"),
    ("🚀 Launch.md", "🚀-launch"),
    ("What? Why & How #1.md", "what-why-how-1"),
    ("a  --  b.md", "a-b"),
    ("v1.2 notes.md", "v1.2-notes"),
    ("README.MD", "readme"),
    ("x/index.md", "x/index"),
    ("  spaced  .md", "spaced"),
    ("???.md", "-"),
])
def test_slugify(path: str, slug: str) -> None:
    assert slugify(path) == slug


def test_url_is_slash_slug_slash() -> None:
    assert url_for("notes/café-crème") == "/notes/café-crème/"


@pytest.mark.parametrize("text, anchor", [
    ("Weekly plan", "weekly-plan"),
    ("Café au lait", "café-au-lait"),
    ("What's `new`?", "whats-new"),
    ("  Spaces   and - dashes ", "spaces-and-dashes"),
    ("C++ & Rust", "c-rust"),
    ("数据 库", "数据-库"),
])
def test_heading_anchor(text: str, anchor: str) -> None:
    assert heading_anchor(text) == anchor


@pytest.mark.parametrize("a, b, n", [("fr/x.md", "fr/y.md", 1), ("fr/x.md", "de/x.md", 0), ("x.md", "y.md", 0),
                                     ("a/b/c.md", "a/b/d/e.md", 2)])
def test_shared_prefix(a: str, b: str, n: int) -> None:
    assert shared_prefix_len(a, b) == n
