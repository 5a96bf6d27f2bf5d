"""Build-time graph layout: igraph's grid Fruchterman-Reingold (C), deterministic for the same links."""
from __future__ import annotations

import hashlib
import math
import random
from array import array
from collections.abc import Sequence
from itertools import chain

SCALE = 10_000  # coordinates are ints in [0, SCALE]: short in JSON, ample precision for 100k nodes
# The last (input's digest, result) in this process: a `kb serve` rebuild whose edit changed no link reuses it. Only
# an identical input is reused (never a settled older picture), so an incremental build equals a full one. The input
# is held as its digest: at 100,000 entries the ids and pairs themselves are ~100 MB of tuples.
_last: list = [None, []]
CORE = 20_000  # above this many nodes only the most-linked CORE get a force layout (MAX_SHOWN in kb-graph.js)


def layout(ids: Sequence[str], pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Positions for nodes `ids` linked by undirected index `pairs`; the same input gives the same picture."""
    n = len(ids)
    if n == 0:
        return []
    key = input_key(ids, pairs)
    if _last[0] == key:
        flat = _last[1]
        return list(zip(flat[::2], flat[1::2], strict=True))
    out = positions(n, pairs)
    _last[:] = [key, array("i", chain.from_iterable(out))]  # (x, y) flat: 0.8 MB at 100,000 nodes, not 11
    return out


def input_key(ids: Sequence[str], pairs: Sequence[tuple[int, int]]) -> bytes:
    """A digest of the layout's input (node ids in order, index pairs in order): equal inputs, equal keys."""
    h = hashlib.blake2b(digest_size=32)
    h.update(len(ids).to_bytes(8, "little"))
    for i in range(0, len(ids), 4096):  # ids hold no NUL (slugs): joined unambiguously
        h.update("\0".join(ids[i:i + 4096]).encode("utf-8", "surrogatepass") + b"\0")
    h.update(array("q", chain.from_iterable(pairs)).tobytes())
    return h.digest()


def positions(n: int, pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The layout itself (no cache): depends only on the node count and the index pairs."""
    if n == 0:
        return []
    coords = _rein(_force(n, pairs) if n <= CORE else _core_and_rest(n, pairs))
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    x0, y0 = min(xs), min(ys)
    span = max(max(xs) - x0, max(ys) - y0) or 1.0
    return [(round((x - x0) / span * SCALE), round((y - y0) / span * SCALE)) for x, y in coords]


def _core_and_rest(n: int, pairs: Sequence[tuple[int, int]]) -> list[list[float]]:
    """Large graphs: force layout of the CORE most-linked nodes (what the page shows first); every other node
    sits by its linked core nodes (their mean, jittered), or on the rim. 100k entries took 16 min laid out whole."""
    deg = [0] * n
    for a, b in pairs:
        deg[a] += 1
        deg[b] += 1
    core = sorted(range(n), key=lambda i: (-deg[i], i))[:CORE]
    pos = {v: k for k, v in enumerate(core)}
    sub = [(pos[a], pos[b]) for a, b in pairs if a in pos and b in pos]
    placed = _force(CORE, sub)
    at: dict[int, list[float]] = {v: list(placed[k]) for v, k in pos.items()}
    near: dict[int, list[int]] = {}
    for a, b in pairs:
        if a in pos and b not in pos:
            near.setdefault(b, []).append(a)
        elif b in pos and a not in pos:
            near.setdefault(a, []).append(b)
    rng = random.Random(n)
    cx = sum(p[0] for p in placed) / CORE
    cy = sum(p[1] for p in placed) / CORE
    radius = max(math.hypot(p[0] - cx, p[1] - cy) for p in placed) or 1.0
    for v in range(n):
        if v in at:
            continue
        anchors = near.get(v)
        if anchors:  # by its linked core nodes, a little apart so it can be hovered
            x = sum(at[a][0] for a in anchors) / len(anchors)
            y = sum(at[a][1] for a in anchors) / len(anchors)
            at[v] = [x + rng.uniform(-1, 1), y + rng.uniform(-1, 1)]
        else:
            t = rng.uniform(0, 2 * math.pi)
            at[v] = [cx + radius * 1.05 * math.cos(t), cy + radius * 1.05 * math.sin(t)]
    return [at[v] for v in range(n)]


def _force(n: int, pairs: Sequence[tuple[int, int]]) -> list[list[float]]:
    """igraph's Fruchterman-Reingold (grid above 1,000 nodes), deterministic."""
    import igraph

    # Start where igraph's own random start would (a square of side sqrt(n)): its grid runs 3-10x slower from a
    # sparser or ordered start. Seeded by n, and igraph's draws from Python's `random` seeded too.
    rng, side = random.Random(n), math.sqrt(n)
    seed = [[rng.uniform(0, side), rng.uniform(0, side)] for _ in range(n)]
    g = igraph.Graph(n=n, edges=list(pairs))
    state = random.getstate()
    random.seed(n)
    try:
        return [list(c) for c in g.layout_fruchterman_reingold(seed=seed, niter=150, grid="auto").coords]
    finally:
        random.setstate(state)


def _rein(coords: list[list[float]]) -> list[tuple[float, float]]:
    """Pull stragglers onto a rim just outside the bulk: unlinked entries drift far and would shrink the picture."""
    if len(coords) < 20:
        return [(x, y) for x, y in coords]
    cx = sorted(c[0] for c in coords)[len(coords) // 2]
    cy = sorted(c[1] for c in coords)[len(coords) // 2]
    dist = [math.hypot(x - cx, y - cy) for x, y in coords]
    rim = sorted(dist)[int(len(dist) * 0.95)] * 1.1 or 1.0
    out = []
    for (x, y), d in zip(coords, dist, strict=True):
        if d > rim:  # keep the direction, squeeze the distance into a thin band beyond the rim
            k = (rim + rim * 0.15 * (1 - rim / d)) / d
            x, y = cx + (x - cx) * k, cy + (y - cy) * k
        out.append((x, y))
    return out


def main() -> None:
    """Child process of a layout that runs behind a live site (graph_live.py): JSON {n, e} in, flat xy out.

    A process, not a thread: igraph holds the GIL for the whole layout (23 s at 10,000 entries), which would
    stall the server's own work, and in a thread its random draws differ (another picture than a full build's).
    Niced, so the page an edit publishes first is not slowed by it either."""
    import json
    import os
    import sys

    os.nice(10)
    job = json.load(sys.stdin)
    e = job["e"]
    xy = positions(job["n"], list(zip(e[::2], e[1::2], strict=True)))
    json.dump([c for p in xy for c in p], sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
