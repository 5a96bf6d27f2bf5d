"""Pages are published whole: a reader sees the old file or the new one, with ordinary permissions, and no
temporary file is left behind, whatever happened."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_plugins.publish import write_atomic

CASES = [
    ("new file, new folders", "a/b/c/index.html", None),
    ("replaces a file", "index.html", b"old"),
    ("a long name", "x" * 200 + ".json", None),
]


@pytest.mark.parametrize(("rel", "before"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_write_is_whole_with_ordinary_permissions(tmp_path: Path, rel: str, before: bytes | None) -> None:
    path = tmp_path / rel
    if before is not None:
        path.write_bytes(before)
    old = os.umask(0o077)  # a strict umask must not make served pages unreadable
    try:
        write_atomic(b"new" * 100_000, str(path))
    finally:
        os.umask(old)
    assert path.read_bytes() == b"new" * 100_000
    assert path.stat().st_mode & 0o777 == 0o644
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "page"
    path.mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(OSError):
        write_atomic(b"new", str(path))
    assert path.is_dir() and not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
