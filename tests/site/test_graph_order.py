"""The orders local graphs keep across edits equal the ones made afresh from the graph as it is now."""
from __future__ import annotations

import random

import pytest

from site_plugins.graph_order import Cuts, Order, old_degrees


def _graph(rng: random.Random, n: int) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = {f"e{i:03d}": set() for i in range(n)}
    slugs = sorted(adj)
    for a in slugs:
        for b in rng.sample(slugs, rng.choice([0, 1, 2, 3, 30])):  # some hubs, many alike
            if a != b:
                adj[a].add(b)
                adj[b].add(a)
    return adj


def _toggle(adj: dict[str, set[str]], a: str, b: str) -> tuple[str, str]:
    if b in adj[a]:
        adj[a].discard(b)
        adj[b].discard(a)
    else:
        adj[a].add(b)
        adj[b].add(a)
    return min(a, b), max(a, b)


@pytest.mark.parametrize("edit", ["link", "hide", "show", "several"])
def test_an_order_moved_by_an_edit_equals_a_fresh_one(edit: str) -> None:
    rng = random.Random(edit)
    adj = _graph(rng, 300)
    order = Order(adj)
    for round_ in range(40):
        slugs = sorted(adj)
        edges: set[tuple[str, str]] = set()
        new: set[str] = set()
        gone: set[str] = set()
        if edit in ("link", "several"):
            for _ in range(1 if edit == "link" else 5):
                a, b = rng.sample(slugs, 2)
                edges ^= {_toggle(adj, a, b)}
        if edit in ("hide", "several"):
            x = rng.choice(slugs)
            edges ^= {(min(x, y), max(x, y)) for y in adj[x]}
            for y in adj.pop(x):
                adj[y].discard(x)
            gone.add(x)
        if edit in ("show", "several"):
            x = f"n{round_:03d}"
            adj[x] = set()
            new.add(x)
            for y in rng.sample(slugs, rng.randint(0, 4)):
                if y in adj:
                    edges.add(_toggle(adj, x, y))
        order.move(old_degrees(adj, edges, new, gone))
        fresh = Order(adj)
        assert order.slugs == fresh.slugs, round_
        assert order.ranks == fresh.ranks, round_


def test_cuts_kept_across_edits_equal_fresh_ones() -> None:
    rng = random.Random(1)
    kept = {f"c{i:03d}": ((), 0, 0, False, rng.choice([None, (1, -5, "x"), (2, -rng.randint(1, 4), f"s{i % 9}")]))
            for i in range(200)}
    cuts = Cuts(kept)
    for _ in range(300):
        c = rng.choice(sorted(kept))
        if rng.random() < 0.1:
            del kept[c]
            cuts.set(c, None)
        else:
            cut = rng.choice([None, (1, -5, "x"), (2, -rng.randint(1, 4), f"s{rng.randint(0, 9)}")])
            kept[c] = ((), 0, 0, False, cut)
            cuts.set(c, cut)
    fresh = Cuts(kept)
    assert cuts.items == fresh.items and cuts.cut == fresh.cut
    lo, hi = (2, -3, "s2"), (2, -2, "s5")
    assert sorted(cuts.between(lo, hi)) == sorted(c for c, k in kept.items() if k[4] and k[4][0] == 2 and lo <= k[4] <= hi)
