"""The Chinese sample notes (content/notes/zh): real-word keywords and an unlinked mention."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.discovery import keywords, unlinked
from kbsync.store import open_store
from kbsync.sync import sync_content

CONTENT = Path(__file__).resolve().parents[3] / "content"


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    store = open_store(f"sqlite://{tmp_path_factory.mktemp('zh') / 'kb.sqlite'}")
    sync_content(CONTENT, store)
    return list(store.entries())


@pytest.mark.parametrize("slug, must", [
    ("notes/zh/深蹲", {"深蹲", "杠铃"}),
    ("notes/zh/硬拉", {"硬拉", "杠铃"}),
    ("notes/zh/训练日记", {"深蹲", "训练日记"}),
])
def test_keywords_are_chinese_words(records, slug: str, must: set[str]) -> None:
    kws, _ = keywords.compute(records, workers=1)
    assert must <= set(kws[slug]), kws[slug]
    cjk = [k for k in kws[slug] if not k.isascii()]
    assert cjk and all(2 <= len(k) <= 4 for k in cjk), kws[slug]  # words: no single characters, no clauses


def test_unlinked_mention_in_chinese_text(records) -> None:
    got = unlinked.find(records, CONTENT)["notes/zh/深蹲"]
    assert {"source": "notes/zh/训练日记", "line": 7} in got  # `练深蹲`: no word boundaries in Chinese
    assert {"source": "notes/zh/训练日记", "line": 14} in got
    assert all(x["line"] != 11 or x["source"] != "notes/zh/训练日记" for x in got)  # the code block
    assert {"source": "notes/zh/硬拉", "line": 14} in got
    assert not unlinked.find(records, CONTENT).get("notes/zh/硬拉")  # 训练日记 links [[硬拉]]
