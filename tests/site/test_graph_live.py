"""graph.json and local graph files updated in place equal a full build's, after any mix of random edits."""
from __future__ import annotations

import copy
import random
import threading
from pathlib import Path

import orjson
import pytest

import site_plugins.graph_layout as gl
import site_plugins.graph_live as live
import site_plugins.graph_local as local
from site_plugins.graph_live import LiveGraph
from site_plugins.graph_local import LocalGraphs
from site_plugins.index import SiteIndex

KINDS = ["link", "unlink", "retitle", "retype", "tag", "hide", "show", "new", "delete", "permalink", "body"]


def _corpus(rng: random.Random, n: int) -> dict[str, dict]:
    """n entries; a few hubs that many link to (like real vaults), the rest sparsely linked."""
    slugs = [f"f{i % 7}/e{i:04d}" for i in range(n)]
    hubs = slugs[:4]
    out = {}
    for s in slugs:
        targets = rng.sample(slugs, rng.randint(0, 4)) + [h for h in hubs if rng.random() < 0.5]
        out[s] = {"slug": s, "path": s + ".md", "title": s.upper(), "type": rng.choice(["note", "book", "person"]),
                  "tags": rng.sample(["a", "b", "c/d"], rng.randint(0, 2)), "hash": "0",
                  "visibility": "public" if rng.random() < 0.9 else rng.choice(["draft", "private"]),
                  "links": [{"target": t, "kind": "link", "raw": t} for t in targets]
                  + [{"target": "missing/x", "kind": "link"}, {"target": "img.png", "attachment": True}]}
    return out


def _edit(rng: random.Random, records: dict[str, dict], kind: str, round_: int) -> list[str]:
    slug = rng.choice(sorted(records))
    r = copy.deepcopy(records[slug])
    if kind == "new":
        slug = f"f{round_ % 7}/new{round_:03d}"
        r = {**r, "slug": slug, "path": slug + ".md", "title": f"New {round_}"}
    elif kind == "delete":
        del records[slug]
        return [slug]
    elif kind == "link":
        r["links"] = [*r["links"], {"target": rng.choice(sorted(records)), "kind": "link"}]
    elif kind == "unlink":
        r["links"] = r["links"][1:]
    elif kind == "retitle":
        r["title"] = f"Retitled {round_}"
    elif kind == "retype":
        r["type"] = rng.choice(["note", "book", "person", "place"])
    elif kind == "tag":
        r["tags"] = [f"t{round_}"]
    elif kind == "hide":
        r["visibility"] = "private"
    elif kind == "show":
        r["visibility"] = "public"
    elif kind == "permalink":
        r["url"] = f"/p/{round_}/"
    else:
        r["hash"] = str(round_)  # a body edit: nothing the graph shows
    records[slug] = r
    return [slug]


def _fake_layout(ids, pairs):  # noqa: ANN001, ANN202 (deterministic in its input, as the real one; fast)
    return [(hash((len(ids), len(pairs), i)) % gl.SCALE, (i * 7 + len(pairs)) % gl.SCALE) for i in range(len(ids))]


@pytest.mark.parametrize(("n", "cap", "view"), [(60, 120, 80), (200, 12, 6), (400, 30, 10)],
                         ids=["uncapped", "tight-caps", "loose-caps"])
def test_updates_equal_a_full_build_after_random_edits(monkeypatch: pytest.MonkeyPatch, n: int, cap: int,
                                                       view: int) -> None:
    monkeypatch.setattr(live, "layout", _fake_layout)
    monkeypatch.setattr(local, "CAP", cap)
    monkeypatch.setattr(local, "VIEW1", view)
    monkeypatch.setattr(LiveGraph, "relayout_behind", lambda self: None)
    rng = random.Random(n)
    records = _corpus(rng, n)
    g = LiveGraph.full(SiteIndex.from_records(records.values()))
    files = LocalGraphs(g)
    have = files.refresh_all()
    for round_ in range(60):
        kinds = [KINDS[round_ % len(KINDS)], rng.choice(KINDS)]  # two edits at once, sometimes
        changed = [s for k in kinds for s in _edit(rng, records, k, round_)]
        index = SiteIndex.from_records(records.values())
        given = changed if round_ % 2 else None  # the editing path names the slugs; a build diffs them
        ch = g.update(index, given if given is not None else g.changed(index))
        new, gone = files.refresh(ch)
        for s in gone:
            del have[s]
        have.update(new)
        full = LiveGraph.full(index)
        ref = LocalGraphs(full).refresh_all()
        mine, theirs = g.data(), full.data()
        assert set(mine.pop("xy")[::2]) <= set(range(gl.SCALE + 1)) and len(mine["ids"]) * 2 == len(theirs.pop("xy"))
        assert mine == theirs, (round_, kinds)
        assert sorted(have) == sorted(ref), (round_, kinds)
        stale = [s for s in ref if have[s] != ref[s]]
        assert not stale, (round_, kinds, stale[:5])
        assert all(s in g.pos for s in g.rows)


def test_a_body_edit_changes_nothing() -> None:
    records = _corpus(random.Random(3), 50)
    g = LiveGraph.full(SiteIndex.from_records(records.values()))
    version = g.version
    slug = sorted(records)[5]
    records[slug] = {**records[slug], "hash": "new"}
    ch = g.update(SiteIndex.from_records(records.values()), [slug])
    assert not (ch.new or ch.gone or ch.attr or ch.edges or ch.shown) and g.version == version and g.settled


@pytest.mark.parametrize("where", ["mean of its neighbours", "rim"])
def test_new_entries_sit_by_their_links_and_old_ones_stay(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.setattr(LiveGraph, "relayout_behind", lambda self: None)
    records = _corpus(random.Random(4), 80)
    g = LiveGraph.full(SiteIndex.from_records(records.values()))
    before = dict(g.pos)
    near = sorted(g.rows)[10:13] if where != "rim" else []
    records["zz/new"] = {"slug": "zz/new", "path": "zz/new.md", "title": "New", "visibility": "public",
                         "links": [{"target": t} for t in near]}
    g.update(SiteIndex.from_records(records.values()), ["zz/new"])
    assert {s: g.pos[s] for s in before} == before and not g.settled
    x, y = g.pos["zz/new"]
    if near:
        mx, my = (sum(g.pos[s][k] for s in near) / 3 for k in (0, 1))
        assert abs(x - mx) <= 0.01 * gl.SCALE and abs(y - my) <= 0.01 * gl.SCALE and (x, y) != (round(mx), round(my))
    else:
        assert abs(((x - gl.SCALE / 2) ** 2 + (y - gl.SCALE / 2) ** 2) ** 0.5 - 0.49 * gl.SCALE) < 0.02 * gl.SCALE
    again = LiveGraph.full(SiteIndex.from_records([r for s, r in records.items() if s != "zz/new"]))
    again.update(SiteIndex.from_records(records.values()), ["zz/new"])
    assert again.pos["zz/new"] == (x, y)  # deterministic


def test_the_layout_behind_replaces_positions_with_a_full_builds(tmp_path: Path) -> None:
    """Real layout in the child process: after settling, graph.json's positions are a full build's."""
    records = _corpus(random.Random(5), 120)
    g = LiveGraph.full(SiteIndex.from_records(records.values()))
    a, b, c = sorted(records)[7:10]
    records[a] = {**records[a], "links": [{"target": b}, {"target": c}]}
    index = SiteIndex.from_records(records.values())
    g.path = str(tmp_path / "graph.json")
    g.update(index, [a])
    g.write(g.path)
    provisional = orjson.loads((tmp_path / "graph.json").read_bytes())
    g.relayout_behind()
    worker = g._worker
    assert worker is not None and g.settle(300) and g.settled
    gl._last[:] = [None, []]
    full = LiveGraph.full(index).data()
    settled = orjson.loads((tmp_path / "graph.json").read_bytes())
    assert settled == full
    assert provisional["xy"] != full["xy"] and {k: v for k, v in provisional.items() if k != "xy"} == {
        k: v for k, v in full.items() if k != "xy"}
    worker.join(5)  # (it sets idle just before it returns; other tests' layouts may run in this process)
    assert not worker.is_alive() and g._worker is None


def test_an_edit_during_the_layout_behind_lays_out_again(monkeypatch: pytest.MonkeyPatch) -> None:
    records = _corpus(random.Random(6), 60)
    g = LiveGraph.full(SiteIndex.from_records(records.values()))
    started = threading.Event()
    release = threading.Event()
    calls = []
    real = live._layout_in_child

    def child(n, pairs):  # noqa: ANN001, ANN202 (the real child; the first one held until the second edit)
        calls.append(len(pairs))
        if len(calls) == 1:
            started.set()
            release.wait(10)
        return real(n, pairs)

    monkeypatch.setattr(live, "_layout_in_child", child)
    a, b, c = sorted(records)[1:4]
    records[a] = {**records[a], "links": [{"target": b}]}
    g.update(SiteIndex.from_records(records.values()), [a])
    g.relayout_behind()
    assert started.wait(10)
    records[c] = {**records[c], "links": []}
    index = SiteIndex.from_records(records.values())
    g.update(index, [c])
    g.relayout_behind()  # already running: it notices the newer graph when it ends
    release.set()
    assert g.settle(300) and len(calls) == 2
    gl._last[:] = [None, []]
    assert g.data() == LiveGraph.full(index).data()


@pytest.mark.parametrize("incremental", [False, True])
def test_local_files_are_written_as_they_are_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  incremental: bool) -> None:
    """A full build holds one local graph file at a time, not all of them (~1 GB at 100,000 entries)."""
    import site_plugins.graph_site as gs

    made: list[int] = []
    outstanding: list[int] = []  # at each local file written: files made and not yet written, this one included
    real_json, real_write = LocalGraphs._json, gs.write_atomic

    def json_(self, ids, a):  # noqa: ANN001, ANN202
        made.append(1)
        return real_json(self, ids, a)

    def write(text, path):  # noqa: ANN001, ANN202
        if path.endswith(local.LOCAL_JSON):
            outstanding.append(len(made) - len(outstanding))
        return real_write(text, path)

    monkeypatch.setattr(LocalGraphs, "_json", json_)
    monkeypatch.setattr(gs, "write_atomic", write)
    monkeypatch.setattr(live.LiveGraph, "relayout_behind", lambda self: None)
    records = _corpus(random.Random(3), 60)
    site = str(tmp_path / "site")
    gs.publish_graph(site, SiteIndex.from_records(records.values()), incremental=incremental)
    assert len(outstanding) == len(made) > 40
    assert set(outstanding) == {1}
    gs.SITES.pop(str(Path(site).resolve()), None)


@pytest.mark.parametrize(("kind", "cap", "view"), [("hide", 12, 6), ("show", 12, 6), ("unlink", 12, 6),
                                                   ("link", 30, 10)])
def test_an_edit_recomputes_only_local_files_within_two_links_of_what_moved(monkeypatch: pytest.MonkeyPatch,
                                                                            kind: str, cap: int, view: int) -> None:
    """A file's second ring is cut at some degree: an entry whose degree moved can enter or leave only the files
    two links from it, not every file cut at that degree (hundreds at 10,000 entries, most never showing it)."""
    monkeypatch.setattr(live, "layout", _fake_layout)
    monkeypatch.setattr(local, "CAP", cap)
    monkeypatch.setattr(local, "VIEW1", view)
    rng = random.Random(11)
    records = _corpus(rng, 400)
    g = LiveGraph.full(SiteIndex.from_records(records.values()))
    files = LocalGraphs(g)
    files.refresh_all()
    for round_ in range(12):
        before = {s: set(n) for s, n in g.adj.items()}
        changed = _edit(rng, records, kind, round_)
        ch = g.update(SiteIndex.from_records(records.values()), changed)
        moved = ch.gone | ch.new | {x for e in ch.edges for x in e}
        near = set(moved)
        for adj in (before, g.adj):
            ring = moved | {y for x in moved for y in adj.get(x, ())}
            near |= ring | {z for y in ring for z in adj.get(y, ())}
        far = files.affected(ch) - near
        assert not far, (round_, sorted(far)[:5])
        files.refresh(ch)
