"""The discovery panels' follow-up re-cuts link contexts only from the sources that moved, and gets what cutting
them all again gets."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from kbsync.view.discovery import backlink_contexts
from site_plugins.followup_discovery import _contexts, _Kept


def _rec(slug: str, text: str, *targets: str) -> dict:
    return {"slug": slug, "text": text, "links": [{"target": t, "kind": "link", "raw": t.title()} for t in targets]}


BEFORE = [_rec("a", "First about B here. Then C too.", "b", "c"), _rec("b", "B points at C now.", "c"),
          _rec("c", "Nothing linked.")]
EDITS = [  # (id, the records after the edit: replaced by slug, None to drop)
    ("body edited", {"a": _rec("a", "Now B is elsewhere. And C.", "b", "c")}),
    ("link removed", {"a": _rec("a", "First about B here.", "b")}),
    ("link added", {"c": _rec("c", "C names A now.", "a")}),
    ("source hidden", {"b": None}),
    ("source shown", {"d": _rec("d", "D mentions B once.", "b")}),
    ("nothing", {}),
]


def _plain(contexts: dict) -> dict:
    return {t: got for t, got in contexts.items() if got}  # an empty dict reads as none (SiteDiscovery.of)


@pytest.mark.parametrize("after", [e[1] for e in EDITS], ids=[e[0] for e in EDITS])
@pytest.mark.parametrize("first", [True, False], ids=["from the build", "from a follow-up"])
def test_contexts_recut_from_moved_sources_equal_a_full_cut(after: dict, first: bool) -> None:
    k = _Kept(discovery=None, named={})
    old = SimpleNamespace(contexts=backlink_contexts(BEFORE))
    if first:  # the build's discovery cut them from these records
        built = {r["slug"]: r for r in BEFORE}
    else:  # an earlier follow-up did
        built = None
        old.contexts = _contexts(k, old, BEFORE, None)
    now = [r for r in ({**{r["slug"]: r for r in BEFORE}, **after}).values() if r is not None]
    got = _contexts(k, old, now, built)
    assert _plain(got) == _plain(backlink_contexts(now))
    assert _plain(old.contexts) == _plain(backlink_contexts(BEFORE))  # the last discovery's are left as they were
