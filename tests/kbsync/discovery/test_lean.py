"""Discovery loads neither the extras its libraries would pull in when installed (matplotlib for igraph's drawing,
scipy.stats for an nltk measure) nor yake just to find stopword lists: ~1 s of CPU in every cold site build.
Each case runs in a fresh interpreter, since this one may have imported them already."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kbsync.discovery.lean import without

pytest.importorskip("matplotlib")  # the dev install has it: without it there is nothing to keep out

# Discovery's own imports and per-entry work (stopwords, stems, topics' graph), then the extras, imported as usual.
CODE = """
import json, sys
from kbsync.discovery import lang as L, topics
ok = [L.stems("en")("running") == "run", "the" in L.stopwords("en"), L.language_of({"text": "der die das und ist " * 3}) == "de"]
before = sorted(m for m in ("matplotlib", "scipy.stats", "yake", "networkx") if m in sys.modules)
import matplotlib, scipy.stats
ok.append(callable(scipy.stats.fisher_exact) and bool(matplotlib.__version__))
print(json.dumps([before, ok]))
"""


def test_discovery_imports_no_unused_extras_and_they_still_import_afterwards():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120, check=True)
    before, ok = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == []
    assert ok == [True, True, True, True]


def test_without_leaves_a_module_already_imported_alone():
    import json as already

    with without("json", "kb_no_such_module_xyz"):
        import json as inside
        with pytest.raises(ModuleNotFoundError):
            import kb_no_such_module_xyz  # noqa: F401
    assert inside is already and sys.modules["json"] is already
    assert "kb_no_such_module_xyz" not in sys.modules  # afterwards it imports (here: fails) as usual
