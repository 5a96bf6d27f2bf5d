"""After a build, `kb serve`'s site worker prepares what the first edit's follow-up would otherwise make inside that
edit's time; the follow-up then uses it, and the site it leaves is the same (equality with a full build:
test_incremental_parity.py, which prepares after each build as the worker does)."""
from __future__ import annotations

import pytest
from kbsite import sync_changed

from site_plugins import followup_outputs, followup_state, graph_kept
from site_plugins.fastpage import LAST, _key, publish_first
from site_plugins.followup import follow_up
from site_plugins.followup_warm import prepare
from site_plugins.graph_site import SITES, site_key


def test_the_first_follow_up_finds_its_state_made(generated_site, monkeypatch: pytest.MonkeyPatch) -> None:
    content, site, store = generated_site("warm", 30, 4, discovery=False)
    b = LAST[_key(str(site))]
    assert "kept" not in b.state and site_key(str(site)) in SITES  # (pending when the build made it beside)
    assert prepare(str(site))
    k = b.state["kept"]
    assert k.typeahead and k.tree is not None
    assert not isinstance(dict.get(SITES, site_key(str(site))), graph_kept.Pending)  # live
    searches = followup_outputs.search_plugins(b.config)
    assert searches and all(id(p.search_index) in followup_outputs._SERIALIZED for p in searches)

    made = []  # state a follow-up had to make (none: prepared)
    monkeypatch.setattr(followup_state, "_read", lambda b: made.append("kept"))
    real = followup_outputs._entry_json
    monkeypatch.setattr(followup_outputs, "_entry_json", lambda e: made.append("search") or real(e))
    victim = next(p for p in sorted(content.rglob("*.md")) if "/people/" in str(p))
    old = victim.read_text(encoding="utf-8")
    victim.write_text(old + "\nA sentence the edit adds.\n", encoding="utf-8")
    try:
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        assert follow_up(str(site), store, changed) is not None
    finally:
        victim.write_text(old, encoding="utf-8")
    assert "kept" not in made
    # only the re-rendered pages' search entries are serialized, not every page's
    assert made.count("search") < len(searches[0].search_index.entries) / 4
    assert "A sentence the edit adds." in (site / "search" / "search_index.json").read_text(encoding="utf-8")

