"""A no-op `kb sync` (keywords on, as by default) fills keywords without importing the corpus passes' libraries."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ["numpy", "scipy", "igraph", "nltk", "jieba", "yake", "datasketch", "rapidfuzz", "ahocorasick",
         "kbsync.discovery.enrich", "kbsync.discovery.related", "kbsync.discovery.topics"]


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("kb")
    (base / "content").mkdir()
    (base / "content" / "squat.md").write_text("---\ntitle: Squat\n---\nA squat works the legs, the hips and the back.\n")
    subprocess.run([sys.executable, "-m", "kbsync", "sync", "--content", str(base / "content")], check=True,
                   capture_output=True, timeout=120, cwd=base)
    return base


@pytest.mark.parametrize("heavy", HEAVY)
def test_a_no_op_sync_imports_no_corpus_pass(synced, heavy):
    code = ("import sys, json, contextlib, io\nfrom kbsync.cli import main\n"
            f"sys.argv = ['kb', 'sync', '--content', {str(synced / 'content')!r}]\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n    try:\n        main()\n"
            "    except SystemExit as e:\n        assert not e.code, out.getvalue()\n"
            "assert '1 unchanged' in out.getvalue(), out.getvalue()\nprint(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
                         cwd=synced, env={**os.environ, "KB_KEYWORDS": "true"})
    mods = json.loads(out.stdout.strip().splitlines()[-1])
    assert not [m for m in mods if m == heavy or m.startswith(heavy + ".")]
