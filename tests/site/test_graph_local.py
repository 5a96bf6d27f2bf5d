"""What a local graph shows: its entry, the neighbours, and their neighbours, but never through a hub."""
from __future__ import annotations

import random

import orjson
import pytest

import site_plugins.graph_live as live
import site_plugins.graph_local as local
from site_plugins.graph_live import LiveGraph
from site_plugins.graph_local import LocalGraphs, is_hub
from site_plugins.index import SiteIndex

# H is a hub (8 links; with VIEW1 6 a hub has more than 5); y is not (3 links).
LINKS = {"c": ["hub", "y"], "y": ["h1", "z"], "h1": ["hub"], **{f"h{i}": ["hub"] for i in range(2, 8)}, "z": []}


def _records(links: dict[str, list[str]]) -> list[dict]:
    return [{"slug": s, "path": s + ".md", "title": s, "visibility": "public", "links": [{"target": t} for t in ts]}
            for s, ts in links.items()] + [{"slug": "hub", "path": "hub.md", "title": "hub", "visibility": "public",
                                             "links": []}]


def _shown(files: dict[str, bytes], centre: str) -> dict[str, int]:
    f = orjson.loads(files[centre])
    return dict(zip(f["ids"], f["d"], strict=True))


@pytest.mark.parametrize(("cap", "centre", "entry", "depth"), [  # depth: the view it shows at (None: not shown)
    (12, "hub", "h2", 1),  # a hub's own file: its neighbours, the 5 best-linked at depth 1
    (12, "hub", "h7", 2),  # ... the others at depth 2
    (12, "hub", "y", 2),  # ... and theirs, through its non-hub neighbours
    (12, "c", "hub", 1),  # a hub beside the centre is shown
    (12, "c", "h2", None),  # its neighbours are not: the ring is not expanded through a hub
    (12, "c", "h1", 2),  # unless a non-hub neighbour reaches them
    (12, "z", "c", 2),  # two links through a non-hub
    (12, "z", "hub", None),  # a hub three links away
    (12, "h1", "h2", None),  # beside a hub, its other neighbours are not shown
    (4, "c", "h1", 2),  # capped: of the second ring, the best-linked are kept (h1: 2 links)
    (4, "c", "z", None),  # (z: 1 link)
], ids=["hub centre", "hub centre, past its depth-1 view", "hub centre, its non-hub's links", "neighbour of a hub", "not through a hub",
        "through a non-hub", "two links through a non-hub", "hub three links away", "beside a hub",
        "cap keeps the best-linked", "cap leaves the rest"])
def test_what_a_local_graph_shows(monkeypatch: pytest.MonkeyPatch, cap: int, centre: str, entry: str,
                                  depth: int | None) -> None:
    monkeypatch.setattr(local, "CAP", cap)
    monkeypatch.setattr(local, "VIEW1", 6)
    monkeypatch.setattr(live, "layout", lambda ids, pairs: [(0, 0)] * len(ids))
    g = LiveGraph.full(SiteIndex.from_records(_records(LINKS)))
    assert is_hub(len(g.adj["hub"])) and not is_hub(len(g.adj["y"]))
    files = LocalGraphs(g).refresh_all()
    assert _shown(files, centre).get(entry) == depth
    assert len(_shown(files, centre)) <= cap


def _hubby(rng: random.Random, n: int) -> list[dict]:
    """n entries; three hubs linked by most, the rest a few links each (the 10,000-entry corpus's shape)."""
    slugs = [f"e{i:04d}" for i in range(n)]
    out = []
    for s in slugs[3:]:
        targets = rng.sample(slugs[3:], rng.randint(0, 3)) + [h for h in slugs[:3] if rng.random() < 0.7]
        out.append({"slug": s, "path": s + ".md", "title": s, "visibility": "public",
                    "links": [{"target": t} for t in targets if t != s]})
    return out + [{"slug": h, "path": h + ".md", "title": h, "visibility": "public", "links": []} for h in slugs[:3]]


@pytest.mark.parametrize("kind", ["hide", "link", "unlink"])
def test_an_edit_beside_a_hub_recomputes_only_files_that_reach_it_without_a_hub(monkeypatch: pytest.MonkeyPatch,
                                                                               kind: str) -> None:
    """A file depends on entries within two links of its centre not through a hub: a +-1 link change of an
    entry beside a hub leaves the hub's other neighbours' files alone (before, each of them picked its second
    ring from the hub's neighbours by site-wide rank, and the change moved the entry across hundreds of cuts)."""
    monkeypatch.setattr(live, "layout", lambda ids, pairs: [(0, 0)] * len(ids))
    rng = random.Random(kind)
    records = {r["slug"]: r for r in _hubby(rng, 900)}
    g = LiveGraph.full(SiteIndex.from_records(records.values()))
    files = LocalGraphs(g)
    have = files.refresh_all()
    for round_ in range(8):
        before = {s: set(n) for s, n in g.adj.items()}
        slug = rng.choice(sorted(s for s in records if s >= "e0003" and records[s]["visibility"] == "public"))
        r = dict(records[slug])
        if kind == "hide":
            r["visibility"] = "private"
        elif kind == "link":
            r["links"] = [*r["links"], {"target": rng.choice(sorted(records)[3:])}]
        else:
            r["links"] = r["links"][1:]
        records[slug] = r
        ch = g.update(SiteIndex.from_records(records.values()), [slug])
        moved = ch.gone | ch.new | {x for e in ch.edges for x in e}
        near = set(moved)
        for adj in (before, g.adj):
            ring = moved | {y for x in moved for y in adj.get(x, ())}
            near |= ring | {z for y in ring if not is_hub(len(adj.get(y, ()))) for z in adj.get(y, ())}
        far = files.affected(ch) - near
        assert not far, (round_, len(far), sorted(far)[:5])
        new, gone = files.refresh(ch)
        have.update(new)
        for s in gone:
            del have[s]
        assert have == LocalGraphs(LiveGraph.full(SiteIndex.from_records(records.values()))).refresh_all()
