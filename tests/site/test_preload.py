"""jieba's dictionary loaded once before a build forks, only for a site with CJK text (site_plugins/preload.py)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

# A fresh interpreter each: jieba's dictionary, once loaded, stays for the life of the process.
PROBE = """
import json, sys
from site_plugins.preload import preload_jieba
records = json.loads(sys.argv[1])
loaded = preload_jieba(records)
jieba = sys.modules.get("jieba")
print(json.dumps([loaded, bool(jieba is not None and jieba.dt.initialized)]))
"""


@pytest.mark.parametrize("records, loaded", [
    ([{"title": "Notes", "text": "Plain English text."}], False),  # nobody pays for a dictionary it never reads
    ([{"title": "Notes", "text": "Plain."}, {"title": "会议", "text": ""}], True),  # a Chinese title
    ([{"title": "Tokyo", "text": "東京の天気 — weather"}], True),  # Japanese text
    ([{"title": None, "text": None}], False),
])
def test_jieba_loaded_only_for_cjk_text(records: list[dict], loaded: bool) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(records)], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [loaded, loaded]
    assert "jieba" not in out.stderr  # its dictionary-load chatter stays out of the build log


BUILD = """
import sys
from pathlib import Path
from site_plugins import plugin
if sys.argv[3] == "off":
    plugin.preload_jieba = lambda records: False
from site_plugins.config import build_site
build_site(Path(sys.argv[1]), Path(sys.argv[2]) / "site", store_url=f"sqlite:///{Path(sys.argv[2]) / 'kb.sqlite'}",
           parallel=1)
"""


def test_site_with_the_dictionary_preloaded_is_byte_identical(tmp_path) -> None:  # noqa: ANN001
    """Each build in a fresh process (so neither finds jieba loaded by the other), over the sample content with
    Chinese and Japanese entries (their search index entries are segmented by jieba)."""
    import shutil

    from kbsite import ROOT
    from test_parallel import tree

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "会议记录.md").write_text("# 会议记录\n\n我们讨论了知识库的搜索功能和中文分词。[[Start Here]]\n",
                                     encoding="utf-8")
    (content / "東京.md").write_text("# 東京\n\n東京の天気は晴れです。会议记录 を参照。\n", encoding="utf-8")
    for mode in ("on", "off"):
        subprocess.run([sys.executable, "-c", BUILD, str(content), str(tmp_path / mode), mode], check=True,
                       capture_output=True)
    on, off = tree(tmp_path / "on" / "site"), tree(tmp_path / "off" / "site")
    assert sorted(on) == sorted(off)
    assert [name for name in on if on[name] != off[name]] == []
    docs = json.loads(on["search/search_index.json"])["docs"]
    assert any("\u200b" in d["text"] for d in docs)  # jieba did segment the Chinese text (zero-width spaces)
