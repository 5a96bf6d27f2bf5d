"""After an edit, the pages it affects are re-rendered without a build, also when an entry page comes or goes; an
edit whose pages the nav or a redirect shows is left to the build, with nothing written. (Equality with a full
build: test_incremental_parity.py.)"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from kbsite import sync_changed

from kbsync.paths import slugify
from kbsync.store import open_store
from site_plugins.config import build_site
from site_plugins.fastpage import publish_first
from site_plugins.followup import follow_up


@pytest.fixture(scope="module")
def built(generated_site) -> tuple[Path, Path, str]:
    # without discovery panels: their related scores move on many pages of a 60-entry corpus at each edit
    return generated_site("follow", 60, 8, discovery=False)


def _plain(content: Path) -> list[Path]:
    """Public, ordinary entries (no person, no document chapter) with front matter and no attachment."""
    return [p for p in sorted(content.rglob("*.md"))
            if p.read_text(encoding="utf-8").startswith("---\n") and "draft: true" not in p.read_text()
            and "private: true" not in p.read_text() and "/people/" not in str(p) and "/documents/" not in str(p)
            and not re.search(r"\]\([^)]*\.(png|jpg|svg|pdf)|!\[\[[^\]]*\.(png|jpg|svg|pdf)", p.read_text())]


def _front(text: str, key: str, value: str) -> str:
    head, sep, body = text.partition("\n---\n")
    lines = [ln for ln in head.split("\n") if not ln.startswith(f"{key}:")]
    return "\n".join([*lines, f"{key}: {value}"]) + sep + body


def _mtimes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def _html(site: Path, url: str) -> str:
    page = site / url / "index.html"
    return page.read_text(encoding="utf-8") if page.is_file() else ""


# (kind, edit of the victim's text given another entry's stem, what the site then shows given (site, victim slug,
# victim title, other slug), at most how many pages are re-rendered)
TARGETED = [
    ("body", lambda t, o: t + "\nZqmark body sentence.\n", lambda s, v, title, o: "Zqmark" in _html(s, v), 3),
    ("title", lambda t, o: _front(t, "title", '"Zqmark Title"'), lambda s, v, title, o: "Zqmark" in _html(s, v), 40),
    ("new tag", lambda t, o: _front(t, "tags", "[zqmark-tag]"),
     lambda s, v, title, o: f"../../{v}/" in _html(s, "tags/zqmark-tag"), 40),
    ("link added", lambda t, o: t + f"\nSee [[{o}]].\n",  # the other page's backlinks name the victim
     lambda s, v, title, o: title in _html(s, o).split("kb-side", 1)[-1], 10),
    ("embed added", lambda t, o: t + f"\n![[{o}]]\n\nZqmark after.\n", lambda s, v, title, o: "kb-embed" in _html(s, v),
     10),
    ("hidden", lambda t, o: _front(t, "draft", "true"), lambda s, v, title, o: not _html(s, v) and f'"{v}/' not in (
        s / "search" / "search_index.json").read_text(encoding="utf-8") + (s / "typeahead.json").read_text(
        encoding="utf-8"), 40),
]


@pytest.mark.parametrize(("edit", "shows", "most"), [c[1:] for c in TARGETED], ids=[c[0] for c in TARGETED])
def test_the_pages_an_edit_affects_are_rerendered_without_a_build(built, edit, shows, most: int) -> None:
    content, site, store = built
    i = [c[1] for c in TARGETED].index(edit)
    victim, other = _plain(content)[i * 3:i * 3 + 2]
    v, o = slugify(str(victim.relative_to(content))), slugify(str(other.relative_to(content)))
    s = open_store(store)
    title = s.get(v)["title"]
    s.close()
    old = victim.read_text(encoding="utf-8")
    before = _mtimes(site)
    victim.write_text(edit(old, other.stem), encoding="utf-8")
    changed = sync_changed(content, store)
    publish_first(str(site), store, changed)
    done = follow_up(str(site), store, changed)
    assert done is not None, "needed a build"
    after = _mtimes(site)
    pages = [p for p in after if p.endswith(".html") and after[p] != before.get(p)]
    print(f"{len(done.rendered)} pages re-rendered of {done.candidates} candidates: {pages[:5]}")
    assert len(done.rendered) <= most
    assert shows(site, v, title, o)
    _assert_kept_is_fresh(site)
    victim.write_text(old, encoding="utf-8")  # back as it was (a hidden page comes back), without a build
    changed = sync_changed(content, store)
    publish_first(str(site), store, changed)
    assert follow_up(str(site), store, changed) is not None, "the undo needed a build"
    assert _html(site, v)
    _assert_kept_is_fresh(site)


@pytest.mark.parametrize("hide", [True, False], ids=["hidden", "shown"])
def test_a_hidden_or_shown_page_is_published_before_the_pages_that_show_it(built, monkeypatch, hide: bool) -> None:
    import site_plugins.followup as followup

    content, site, store = built
    victim = _plain(content)[-1]
    v = slugify(str(victim.relative_to(content)))
    old = victim.read_text(encoding="utf-8")
    hidden = _front(old, "draft", "true")

    def edit(text: str) -> followup.FollowUp | None:
        victim.write_text(text, encoding="utf-8")
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        return follow_up(str(site), store, changed)

    if not hide:
        assert edit(hidden) is not None
    calls: list[tuple[bool, list[str]]] = []  # (the victim's page there when a render starts, what it renders)
    real = followup.render

    def spy(b, todo, out, **kw):  # noqa: ANN001, ANN003
        calls.append((bool(_html(site, v)), [t[0] for t in todo]))
        return real(b, todo, out, **kw)

    monkeypatch.setattr(followup, "render", spy)
    try:
        done = edit(hidden if hide else old)
    finally:
        monkeypatch.undo()
        victim.write_text(old, encoding="utf-8")
    assert done is not None and done.first is not None
    others = [there for there, srcs in calls if any(slugify(src.removesuffix(".md")) != v for src in srcs)]
    assert others and all(there != hide for there in others)  # gone (or there) before any other page is rendered
    if hide:
        assert edit(old) is not None
    assert _html(site, v)
    _assert_kept_is_fresh(site)


def test_a_shown_page_links_the_tag_pages_that_come_back_with_it(built) -> None:
    """Shown again, the only entry with a tag brings its tag page back: its page (published first) links it."""
    content, site, store = built
    victim = _plain(content)[-2]
    v = slugify(str(victim.relative_to(content)))
    old = victim.read_text(encoding="utf-8")
    tagged = old + "\nZqshown carries #zqshowntag here.\n"

    def edit(text: str) -> None:
        victim.write_text(text, encoding="utf-8")
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        assert follow_up(str(site), store, changed) is not None, "needed a build"

    try:
        for text in (tagged, _front(tagged, "draft", "true"), tagged):  # the tag page comes, goes, comes back
            edit(text)
        assert _html(site, "tags/zqshowntag")
        assert re.search(r'Zqshown carries <a class="kb-tag" href="[./]*tags/zqshowntag/"', _html(site, v)), "broken"
    finally:
        edit(old)
    _assert_kept_is_fresh(site)


def test_a_hidden_page_is_gone_before_its_search_entries_are_dropped(built, monkeypatch) -> None:
    """Dropping a page's search entries passes over every entry (hundreds of thousands at 100,000 entries): it
    comes after the hidden page's first step, and the index written after it no longer lists the page."""
    import time

    import site_plugins.followup_hide as hide

    content, site, store = built
    victim = _plain(content)[-3]
    v = slugify(str(victim.relative_to(content)))
    old = victim.read_text(encoding="utf-8")
    dropped: list[float] = []
    real = hide._drop_search
    monkeypatch.setattr(hide, "_drop_search", lambda *a: dropped.append(time.perf_counter()) or real(*a))
    try:
        victim.write_text(_front(old, "draft", "true"), encoding="utf-8")
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        done = follow_up(str(site), store, changed)
        assert done is not None and done.first is not None
        assert len(dropped) == 1 and dropped[0] > done.first
        assert f'"{v}/' not in (site / "search" / "search_index.json").read_text(encoding="utf-8")
    finally:
        monkeypatch.undo()
        victim.write_text(old, encoding="utf-8")
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        assert follow_up(str(site), store, changed) is not None
    assert f'"{v}/' in (site / "search" / "search_index.json").read_text(encoding="utf-8")
    _assert_kept_is_fresh(site)


def _assert_kept_is_fresh(site: Path) -> None:
    """What the follow-ups kept equals what a fresh read of the index gives (the next build's first follow-up)."""
    from site_plugins.explorer import explorer_tree
    from site_plugins.fastpage import LAST, _key
    from site_plugins.followup_state import _read, kept
    from site_plugins.index import typeahead_json

    b = LAST[_key(str(site))]
    k, fresh = kept(b), _read(b)
    assert (k.tags, k.shown, k.types, k.inbound, k.queries) == (
        fresh.tags, fresh.shown, fresh.types, fresh.inbound, fresh.queries)
    assert k.tree is None or k.tree == explorer_tree(b.plugin.index)
    docs = b.state.get("docs")  # the documentation pages, kept in step as pages come and go
    assert docs is None or [id(f) for f in docs] == [id(f) for f in b.files.documentation_pages()]
    assert k.typeahead is None or typeahead_json(b.plugin.index, rows=k.typeahead) == typeahead_json(b.plugin.index)
    faces = b.plugin.index.__dict__.get("faces")  # kept up to date in place, not made again over every record
    assert faces is None or faces == type(b.plugin.index).faces.func(b.plugin.index)


# (kind, edit of the victim's text, does what tables show of it move): a follow-up remakes the tables of the
# victim's tags and type (and of entries with a typed relation to it, when its title moves), not every table
WORK = [
    ("body", lambda t: t + "\nZqwork body sentence.\n", False),
    ("title", lambda t: _front(t, "title", '"Zqwork Title"'), True),
    ("tag", lambda t: _front(t, "tags", "[zqwork, zqwork/nested]"), True),
]


@pytest.mark.parametrize(("edit", "moves"), [w[1:] for w in WORK], ids=[w[0] for w in WORK])
def test_a_follow_up_remakes_only_the_tables_listing_what_moved(built, monkeypatch, edit, moves: bool) -> None:
    from kbsync.tags import keys_with_ancestors
    from site_plugins.index import RELATION_SKIP
    from site_plugins.tables import TableBuilder

    content, site, store = built
    victim = _plain(content)[-5 - [w[1] for w in WORK].index(edit)]
    v = slugify(str(victim.relative_to(content)))
    made: list[str] = []
    real = TableBuilder.build
    monkeypatch.setattr(TableBuilder, "build", lambda self, slugs, url, **kw: made.append(url) or real(
        self, slugs, url, **kw))
    old = victim.read_text(encoding="utf-8")
    s = open_store(store)
    before = s.get(v)
    s.close()
    victim.write_text(edit(old), encoding="utf-8")
    try:
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        assert follow_up(str(site), store, changed) is not None
        s = open_store(store)
        after = s.get(v)
        s.close()
        listed = [before, after]
        if before["title"] != after["title"]:  # typed relations to it show its title in their rows
            s = open_store(store)
            listed += [s.get(b["source"]) for b in after.get("backlinks") or [] if b["kind"] not in RELATION_SKIP]
            s.close()
        tables = {k for r in listed for k in keys_with_ancestors(r.get("tags") or [])} | {
            str(r.get("type") or "note") for r in listed}
        assert made if moves else not made
        assert len(made) <= len(tables), sorted(made)
        _assert_kept_is_fresh(site)
    finally:
        victim.write_text(old, encoding="utf-8")
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        assert follow_up(str(site), store, changed) is not None


def _public_urls(site: Path) -> set[str]:
    """The entry URLs the search index and typeahead list."""
    search = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    typeahead = (site / "typeahead.json").read_text(encoding="utf-8")
    return set(re.findall(r'"location":"([^"#]*)', search)) | set(re.findall(r'"([^"]+/)"', typeahead))


def _restore(content: Path, saved: dict[Path, bytes]) -> None:
    """The content folder back to the files `saved` held: new ones removed, gone ones written again."""
    for p in content.rglob("*.md"):
        if p not in saved:
            p.unlink()
    for p, data in saved.items():
        if not p.exists():
            p.write_bytes(data)


# Entry pages added, deleted or renamed: (kind, the change given (content, victim), the slugs that must come, those
# that must go). The page comes or goes with its search and typeahead rows, without a build.
STRUCTURAL = [
    ("new entry", lambda c, v: (c / "zq-new-entry.md").write_text(
        f"---\ntitle: Zq New\n---\nNew, links [[{v.stem}]].\n", encoding="utf-8"), ["zq-new-entry"], []),
    ("deleted", lambda c, v: v.unlink(), [], ["victim"]),
    ("renamed", lambda c, v: v.rename(v.with_name("Zq renamed.md")), ["zq-renamed"], ["victim"]),
]


@pytest.mark.parametrize(("change", "came", "went"), [c[1:] for c in STRUCTURAL], ids=[c[0] for c in STRUCTURAL])
def test_entry_pages_added_deleted_or_renamed_are_published_without_a_build(built, change, came, went) -> None:
    content, site, store = built
    victim = _plain(content)[-1 - [c[1] for c in STRUCTURAL].index(change)]
    v = slugify(str(victim.relative_to(content)))
    folder = slugify(str(victim.parent.relative_to(content)))
    saved = {p: p.read_bytes() for p in content.rglob("*.md")}
    came = [f"{folder}/{s}" if s == "zq-renamed" else s for s in came]
    went = [v if s == "victim" else s for s in went]
    try:
        change(content, victim)
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        assert follow_up(str(site), store, changed) is not None, "needed a build"
        listed = _public_urls(site)
        for s in came:
            assert _html(site, s) and f"{s}/" in listed, s
        for s in went:
            assert not _html(site, s) and f"{s}/" not in listed, s
        _assert_kept_is_fresh(site)
    finally:  # back as it was, also without a build
        _restore(content, saved)
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        assert follow_up(str(site), store, changed) is not None, "the undo needed a build"
    assert _html(site, v)
    _assert_kept_is_fresh(site)


def _chapter(content: Path) -> Path:
    return sorted(p for p in (content / "documents").rglob("*.md") if p.name != "index.md")[0]


# Added or deleted entries whose pages a build must place: left to it, with nothing written before it
STILL_BUILT = [
    ("new permalink", lambda c: (c / "zq-perma.md").write_text("---\ntitle: Zq\npermalink: zq/here\n---\nP.\n",
                                                               encoding="utf-8")),  # a redirect to write
    ("deleted chapter", lambda c: _chapter(c).unlink()),  # the nav lists a document's chapters
]


@pytest.mark.parametrize("change", [c[1] for c in STILL_BUILT], ids=[c[0] for c in STILL_BUILT])
def test_added_or_deleted_pages_the_nav_or_a_redirect_shows_are_left_to_the_build(built, change) -> None:
    content, site, store = built
    before = _mtimes(site)
    saved = {p: p.read_bytes() for p in content.rglob("*.md")}
    try:
        change(content)
        changed = sync_changed(content, store)
        assert follow_up(str(site), store, changed) is None
        assert _mtimes(site) == before
        build_site(content, site, store_url=store, incremental=True, sync=False, discovery=False)
    finally:
        _restore(content, saved)
        sync_changed(content, store)
        build_site(content, site, store_url=store, incremental=True, sync=False, discovery=False)


def test_nothing_is_followed_up_without_a_build_of_this_site(tmp_path: Path) -> None:
    assert follow_up(str(tmp_path / "never-built"), f"sqlite:///{tmp_path / 'x.sqlite'}", ["a"]) is None


@pytest.mark.parametrize("hide", [True, False], ids=["hidden", "shown"])
def test_the_link_targets_records_are_read_after_the_edited_pages_step(built, monkeypatch, hide: bool) -> None:
    """A hidden or shown entry's link targets gain or lose a backlink (a hub's are tens of thousands at 100,000
    entries): their records are read from the store once the page is gone or written, not before."""
    import time

    import site_plugins.followup as followup

    content, site, store = built
    victim = next(p for p in _plain(content)[::-1] if "[[" in p.read_text(encoding="utf-8"))
    old = victim.read_text(encoding="utf-8")
    edit = _editor(built, victim)
    hidden = _front(old, "draft", "true")
    if not hide:
        assert edit(hidden) is not None
    read: list[tuple[float, int]] = []
    real = followup.read_linked
    monkeypatch.setattr(followup, "read_linked",
                        lambda *a: (lambda got: read.append((time.perf_counter(), len(got))) or got)(real(*a)))
    try:
        done = edit(hidden if hide else old)
    finally:
        monkeypatch.undo()
        if hide:
            assert edit(old) is not None
        victim.write_text(old, encoding="utf-8")
    assert done is not None and done.first is not None
    assert len(read) == 1 and read[0][1] > 0 and read[0][0] > done.first  # it read some: the targets moved
    _assert_kept_is_fresh(site)


def _editor(built, victim: Path):  # noqa: ANN001, ANN202
    """An edit of `victim` as `kb serve`'s site worker runs it: synced, its page first, then the follow-up."""
    content, site, store = built

    def edit(text: str):  # noqa: ANN202
        victim.write_text(text, encoding="utf-8")
        changed = sync_changed(content, store)
        publish_first(str(site), store, changed)
        return follow_up(str(site), store, changed)
    return edit


# (kind, edit of a linking entry's text given another entry's stem): its link targets' stored backlinks move
BACKLINKS = [
    ("hidden", lambda t, o: _front(t, "draft", "true")),
    ("link added", lambda t, o: t + f"\nSee [[{o}]].\n"),
    ("embed added", lambda t, o: t + f"\n![[{o}]]\n"),
    ("link removed", lambda t, o: re.sub(r"\[\[[^\]\n]+\]\]", "removed", t, count=1)),
    ("hidden, link added", lambda t, o: _front(t, "draft", "true") + f"\nSee [[{o}]].\n"),
]


@pytest.mark.parametrize("edit", [c[1] for c in BACKLINKS], ids=[c[0] for c in BACKLINKS])
def test_link_targets_records_made_from_the_kept_ones_equal_the_stores(built, edit) -> None:
    """A link target's record after an edit (its backlinks from the edited entry moved) is made from the kept
    one, not read (a hub's backlinks are thousands): it equals what the store gives, after the edit and its undo."""
    from site_plugins.fastpage import LAST, _key
    from site_plugins.followup_read import targets

    content, site, store = built
    victim, other = [p for p in _plain(content) if "[[" in p.read_text(encoding="utf-8")][:2]
    old = victim.read_text(encoding="utf-8")
    edit_ = _editor(built, victim)
    index = LAST[_key(str(site))].plugin.index
    s = open_store(store)
    try:
        slug = slugify(str(victim.relative_to(content)))
        before = targets(s.get(slug))
        for text in (edit(old, other.stem), old):
            assert edit_(text) is not None
            now = targets(s.get(slug))
            for t in sorted((before | now) & index.records.keys()):
                assert index.records[t] == s.get(t), t
    finally:
        s.close()
        victim.write_text(old, encoding="utf-8")
    _assert_kept_is_fresh(site)
