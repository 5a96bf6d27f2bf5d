"""`kb check` reports links to attachments that do not exist as `path:line: error: attachment not found: X`."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.check import collect, format_problem, missing_attachment
from kbsync.store import open_store
from kbsync.sync import sync_content


@pytest.mark.parametrize("raw, name", [
    ("[[R&D plan.pdf]]", "R&D plan.pdf"), ("![[O'Brien.pdf]]", "O'Brien.pdf"), ("[[q?x.pdf|label]]", "q?x.pdf"),
    ("![[img.png|100]]", "img.png"), ("[[dir/café.pdf#page=2]]", "dir/café.pdf"), ("![a](50%25%20off.png)", "50% off.png"),
    ("![a](<my file.png>)", "my file.png"), ("[[Some Note]]", None), ("[[Note.md]]", None), ("[x](Note.md)", None),
    ("@alice", None),
])
def test_missing_attachment_name(raw: str, name: str | None) -> None:
    assert missing_attachment(raw) == name


def test_check_lists_missing_attachments_with_line(tmp_path: Path) -> None:
    content = tmp_path / "c"
    content.mkdir()
    (content / "here.pdf").write_text("x")
    (content / "a.md").write_text("# A\n\n[[here.pdf]] [[R&D plan.pdf]]\n![[O'Brien.pdf]] [[q?x.pdf]]\n[[Gone]]\n")
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    lines = [format_problem(p) for p in collect(store, content)]
    store.close()
    assert "a.md:3: error: attachment not found: R&D plan.pdf ([[R&D plan.pdf]])" in lines
    assert "a.md:4: error: attachment not found: O'Brien.pdf (![[O'Brien.pdf]])" in lines
    assert "a.md:4: error: attachment not found: q?x.pdf ([[q?x.pdf]])" in lines
    assert any(line.startswith("a.md:5: error: broken link [[Gone]]") for line in lines)
    assert not any("here.pdf" in line for line in lines)
