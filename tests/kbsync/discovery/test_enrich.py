"""Keywords filled in a second commit after the sync; one edit updates discovery like a rebuild."""
from __future__ import annotations

from kbsync.discovery.enrich import Discovery, default_cache_path, fill_keywords
from kbsync.discovery.keywords import KeywordCache
from kbsync.store import open_store
from kbsync.sync import sync_content
from tests.conftest import write

from .conftest import note

TEXT = "The {0} is a strength exercise. A heavy {0} builds the legs and the back. Train the {0} each week."


def test_keywords_come_in_a_second_commit_and_only_for_what_changed(tmp_path) -> None:
    files = {f"{w}.md": note(w.title(), TEXT.format(w)) for w in ("squat", "deadlift", "lunge", "press")}
    write(tmp_path / "content", files)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(tmp_path / "content", store)
    rev = store.revision()
    assert all(r["keywords"] == [] for r in store.records())  # searchable before any keyword exists
    cache = KeywordCache(default_cache_path(store))
    stats, rev2 = fill_keywords(store, cache, workers=1)
    assert (stats.computed, rev2) == (4, rev + 1)
    assert "squat" in " ".join(store.get("squat")["keywords"]).lower()
    stats, rev3 = fill_keywords(store, cache, workers=1)
    assert (stats.computed, rev3) == (0, rev2)  # nothing changed: nothing computed, nothing written
    write(tmp_path / "content", {"lunge.md": note("Lunge", TEXT.format("kettlebell swing"))})
    sync_content(tmp_path / "content", store)
    stats, _ = fill_keywords(store, KeywordCache(default_cache_path(store)), workers=1)  # the cache is on disk
    assert stats.computed == 1
    assert "kettlebell" in " ".join(store.get("lunge")["keywords"]).lower()


def test_one_edit_updates_duplicates_and_mentions_like_a_rebuild(tmp_path) -> None:
    body = " ".join(f"word{i} filler{i % 7}" for i in range(80))
    files = {"Squat.md": note("Squat", "A squat. " + body),
             "Lunge.md": note("Lunge", "Nothing to see. " + " ".join(f"other{i}" for i in range(80))),
             "Log.md": note("Log", "Did a Squat today.")}
    content = write(tmp_path / "content", files)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    d = Discovery(content).build(store.entries())
    assert d.fields()["squat"]["unlinked"] == [{"source": "log", "line": 5}]
    assert d.fields()["lunge"]["duplicates"] == []
    write(content, {"Lunge.md": note("Squats", "A squat. " + body + " and a Squat.")})  # now a copy of Squat
    sync_content(content, store)
    d.update([store.get("lunge")])
    fresh = Discovery(content).build(store.entries())
    for slug in ("squat", "lunge", "log"):
        for key in ("duplicates", "unlinked"):
            assert d.fields()[slug][key] == fresh.fields()[slug][key], (slug, key)
    assert [x["slug"] for x in d.fields()["squat"]["duplicates"]] == ["lunge"]
    assert {"source": "lunge", "line": 5} in d.fields()["squat"]["unlinked"]


def test_profiles_are_computed_once_per_content_and_in_parallel_alike(tmp_path) -> None:
    from kbsync.discovery.profile import Profiles

    files = {f"n{i}.md": note(f"Note {i}", f"Body {i} about squats and deadlifts, number {i}.") for i in range(210)}
    content = write(tmp_path / "content", files)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    recs = list(store.entries())
    profiles = Profiles()
    serial = profiles.get(recs, content, workers=1)
    assert profiles.computed == 210
    profiles.get(recs, content, workers=1)
    assert profiles.computed == 0
    parallel = Profiles().get(recs, content, workers=2)
    for slug, p in serial.items():
        q = parallel[slug]
        assert (p.lang, p.counts, p.plain) == (q.lang, q.counts, q.plain)
        assert (p.signature is None and q.signature is None) or (p.signature == q.signature).all()


def test_results_are_stored_per_viewer_and_hidden_entries_have_no_row(tmp_path) -> None:
    from kbsync.discovery.results import Results

    body = " ".join(f"word{i} filler{i % 7}" for i in range(80))
    files = {"Squat.md": note("Squat", "A squat. " + body), "Squats.md": note("Squats", "A squat. " + body),
             "Log.md": note("Log", "Did a Squat today."), "Secret.md": note("Secret", "Squat. " + body, draft="true")}
    content = write(tmp_path / "content", files)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    d = Discovery(content).build(store.entries())
    res = Results(tmp_path / "discovery.sqlite")
    res.save(d, store.revision())
    assert res.get("squat")["duplicates"][0]["slug"] == "squats"
    assert res.get("squat")["unlinked"] == [{"source": "log", "line": 5}, {"source": "squats", "line": 5}]
    assert res.get("secret") is None and "secret" not in str(res.topics()) + str(res.get("squat"))
    assert res.revision() == store.revision()
    write(content, {"Log.md": note("Log", "Nothing.")})
    sync_content(content, store)
    d.update([store.get("log")])
    res.save(d, store.revision(), ["log", "squat"])
    assert res.get("squat")["unlinked"] == [{"source": "squats", "line": 5}]


def test_unlinked_scanned_in_a_forked_child_equals_the_scan_in_process(tmp_path, monkeypatch) -> None:
    """The child's hits are the in-process scan's, and an edit after such a build updates like a rebuild."""
    import pytest

    from kbsync.discovery import enrich as E
    from kbsync.discovery.profile import Profiles
    from kbsync.testing.corpus import ensure

    content, _ = ensure(tmp_path / "corpus", 60, planted=True)
    store = open_store(f"sqlite://{tmp_path / 'kb.sqlite'}")
    sync_content(content, store)
    records = list(store.entries())
    alone = Discovery(content).build(records, profiles=Profiles(), workers=1)
    forks = []
    real = E.in_child

    def counting(fn, *a):  # type: ignore[no-untyped-def]
        forks.append(fn)
        return real(fn, *a)

    monkeypatch.setattr(E, "CHILD_MIN", 0)
    monkeypatch.setattr(E, "in_child", counting)
    forked = Discovery(content).build(records, profiles=Profiles(), workers=2)
    if not forks:
        pytest.skip("no fork on this platform")
    assert forked.unlinked.result() == alone.unlinked.result() and forked.unlinked.result()
    victim = next(r for r in records if r["slug"] in forked.unlinked.result())
    path = content / victim["path"]
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: Renamed", 1), encoding="utf-8")
    sync_content(content, store)
    forked.update([store.get(victim["slug"])])
    fresh = Discovery(content).build(list(store.entries()), profiles=Profiles(), workers=1)
    assert forked.unlinked.result() == fresh.unlinked.result()
