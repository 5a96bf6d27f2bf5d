"""Graph: compact public-only graph.json, the build-time layout, and the WebGL global / canvas local graph in Chromium."""
from __future__ import annotations

import io
import json
import math
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from kbsite import Site, static_server

from kbsync.paths import slugify
from site_plugins.graph_layout import SCALE, layout


def public(truth: dict, path: str) -> bool:
    e = truth["entries"][path]
    return not (e["draft"] or e["private"])


def graph(site: Site) -> dict:
    return json.loads((site.out / "graph.json").read_text(encoding="utf-8"))


# ---------- graph.json ----------

def test_graph_json_is_columns_of_public_entries(corpus_site: Site) -> None:
    d, truth = graph(corpus_site), corpus_site.truth
    assert d["v"] == 2
    pub = {slugify(p): p for p in truth["entries"] if public(truth, p)}
    assert d["ids"] == sorted(pub)
    n = len(d["ids"])
    for col in ("t", "y", "f", "g"):
        assert len(d[col]) == n, col
    assert len(d["xy"]) == 2 * n and all(isinstance(c, int) and 0 <= c <= SCALE for c in d["xy"])
    assert len(d["e"]) % 2 == 0 and all(0 <= i < n for i in d["e"])
    pairs = list(zip(d["e"][::2], d["e"][1::2], strict=True))
    assert all(a < b for a, b in pairs) and len(set(pairs)) == len(pairs)
    for i, slug in enumerate(d["ids"]):  # the type is an index into `types`, never a coordinate
        e = truth["entries"][pub[slug]]
        assert d["types"][d["y"][i]] == (e["type"] or "note"), slug
        assert d["t"][i] == e["title"]
        assert d["folders"][d["f"][i]] == posixpath.dirname(pub[slug])
        assert {d["tags"][k] for k in d["g"][i]} == set(e.get("tags") or []), slug
    counts = [d["y"].count(k) for k in range(len(d["types"]))]
    assert counts == sorted(counts, reverse=True)
    index = {s: i for i, s in enumerate(d["ids"])}
    want = {tuple(sorted((index[slugify(p)], index[slugify(q)]))) for p in pub.values()
            for q in truth["entries"][p]["links"] if public(truth, q) and q != p}
    assert want and want <= set(pairs), "a link between public entries is missing from the graph"


def test_graph_json_leaks_nothing_hidden(corpus_site: Site) -> None:
    truth = corpus_site.truth
    raw = (corpus_site.out / "graph.json").read_text(encoding="utf-8")
    d = json.loads(raw)
    hidden = [p for p in truth["entries"] if not public(truth, p)]
    assert hidden and truth["private_canaries"]
    for c in truth["private_canaries"]:
        assert c not in raw
    shown_titles = set(d["t"])
    for p in hidden:
        assert slugify(p) not in d["ids"]
        if truth["entries"][p]["title"] not in shown_titles:  # a public entry may share the title
            assert json.dumps(truth["entries"][p]["title"], ensure_ascii=False) not in raw, p
    pub_tags = {t for p in truth["entries"] if public(truth, p) for t in truth["entries"][p].get("tags") or []}
    pub_dirs = {posixpath.dirname(p) for p in truth["entries"] if public(truth, p)}
    assert set(d["tags"]) == pub_tags and set(d["folders"]) == pub_dirs


def test_graph_json_is_compact(corpus_site: Site) -> None:
    raw = (corpus_site.out / "graph.json").read_bytes()
    d = json.loads(raw)
    # Per node: id + title (the bulk), a few small ints; per edge: two ints. No per-node objects or repeated keys.
    text = sum(len(s.encode()) + len(t.encode()) for s, t in zip(d["ids"], d["t"], strict=True))
    assert len(raw) <= text + 25 * len(d["ids"]) + 12 * len(d["e"]) // 2 + 4096
    assert b'"id":' not in raw and b"\n" not in raw


def _local_files(site: Site) -> dict[str, dict]:
    return {p.parent.relative_to(site.out).as_posix(): json.loads(p.read_text(encoding="utf-8"))
            for p in site.out.rglob("kb-local.json")}


def test_every_public_entry_has_a_small_local_graph_file_matching_graph_json(corpus_site: Site) -> None:
    d, files = graph(corpus_site), _local_files(corpus_site)
    url = {s: d["u"].get(str(i), f"{s}/").rstrip("/") for i, s in enumerate(d["ids"])}
    assert sorted(files) == sorted(url.values())
    ix = {s: i for i, s in enumerate(d["ids"])}
    adj: dict[int, set[int]] = {i: set() for i in range(len(d["ids"]))}
    for a, b in zip(d["e"][::2], d["e"][1::2], strict=True):
        adj[a].add(b)
        adj[b].add(a)
    types = json.loads((corpus_site.out / "graph-types.json").read_text(encoding="utf-8"))["types"]
    assert types == d["types"]
    for slug, u in url.items():
        f = files[u]
        c = ix[slug]
        nodes = [ix[s] for s in f["ids"]]
        assert f["v"] == 1 and nodes[0] == c and len(nodes) <= 120 and len(set(nodes)) == len(nodes)
        assert f["d"][0] == 0 and all(d_ in (1, 2) for d_ in f["d"][1:])
        one = {k for k, d_ in zip(nodes, f["d"], strict=True) if d_ == 1}
        assert one <= adj[c] and len(one) == min(len(adj[c]), 79)
        for k, s in enumerate(f["ids"]):  # titles and types are graph.json's; links are the real ones among them
            assert f["t"][k] == d["t"][ix[s]] and f["types"][f["y"][k]] == d["types"][d["y"][ix[s]]]
        local = {(nodes[a], nodes[b]) for a, b in zip(f["e"][::2], f["e"][1::2], strict=True)}
        assert local == {(a, b) for a in nodes for b in adj[a] & set(nodes) if nodes.index(a) < nodes.index(b)}
    sizes = sorted((corpus_site.out / u / "kb-local.json").stat().st_size for u in url.values())
    assert sizes[-1] < 16_000, sizes[-5:]  # KBs, not graph.json's size
    assert sizes[-1] < (corpus_site.out / "graph.json").stat().st_size / 2


def test_local_graph_files_leak_nothing_hidden(corpus_site: Site) -> None:
    truth = corpus_site.truth
    hidden = [p for p in truth["entries"] if not public(truth, p)]
    shown = {t for f in _local_files(corpus_site).values() for t in f["t"]}
    assert hidden and truth["private_canaries"]
    for p in sorted(corpus_site.out.rglob("kb-local.json")) + [corpus_site.out / "graph-types.json"]:
        raw = p.read_text(encoding="utf-8")
        for c in truth["private_canaries"]:
            assert c not in raw, p
        ids = set(json.loads(raw).get("ids", []))
        for h in hidden:
            assert slugify(h) not in ids, (p, h)
            if truth["entries"][h]["title"] not in shown:
                assert json.dumps(truth["entries"][h]["title"], ensure_ascii=False) not in raw, (p, h)
    for h in hidden:  # and no file beside a hidden entry's would-be page
        assert not (corpus_site.out / slugify(h) / "kb-local.json").exists(), h


# ---------- layout ----------

def _ring(n: int) -> list[tuple[int, int]]:
    return [(i, (i + 1) % n) for i in range(n)]


def _cliques(k: int) -> list[tuple[int, int]]:
    a = [(i, j) for i in range(k) for j in range(i + 1, k)]
    return a + [(i + k, j + k) for i, j in a] + [(0, k)]


@pytest.mark.parametrize("n, pairs", [(40, _ring(40)), (60, _cliques(30)), (200, _ring(150)),
                                      (300, [(i, (i * 7 + 3) % 300) for i in range(300) if i != (i * 7 + 3) % 300])],
                         ids=["ring", "two-cliques", "ring-and-isolated", "scattered"])
def test_layout_is_deterministic_bounded_and_keeps_links_short(n: int, pairs: list[tuple[int, int]]) -> None:
    ids = [f"n{i}" for i in range(n)]
    import site_plugins.graph_layout as gl

    gl._last[:] = [None, []]
    first = layout(ids, pairs)
    gl._last[:] = [None, []]
    assert layout(ids, pairs) == first  # computed again from scratch: the same picture
    assert all(0 <= x <= SCALE and 0 <= y <= SCALE for x, y in first)
    assert max(x for x, _ in first) == SCALE or max(y for _, y in first) == SCALE
    dist = lambda a, b: math.dist(first[a], first[b])  # noqa: E731
    linked = sum(dist(a, b) for a, b in pairs) / len(pairs)
    others = [(a, (a * 13 + 5) % n) for a in range(n)]
    assert linked < 0.6 * sum(dist(a, b) for a, b in others) / len(others)


def test_layout_reuses_only_an_identical_input() -> None:
    import site_plugins.graph_layout as gl

    ids, pairs = [f"n{i}" for i in range(100)], _ring(100)
    gl._last[:] = [None, []]
    fresh = layout([*ids, "new"], [*pairs, (0, 100)])
    layout(ids, pairs)
    assert layout([*ids, "new"], [*pairs, (0, 100)]) == fresh  # history never changes the picture (parity)
    assert gl._last[0] == gl.input_key([*ids, "new"], [*pairs, (0, 100)])
    assert gl._last[0] != gl.input_key(ids, pairs) != gl.input_key(ids, [*pairs[1:], pairs[0]])  # order counts
    assert layout([*ids, "new"], [*pairs, (0, 100)]) == fresh  # served from the cache


# ---------- browser ----------


@pytest.fixture(scope="module")
def server(corpus_site: Site) -> Iterator[str]:
    with static_server(corpus_site.out) as url:
        yield url


def _open(browser, server: str, viewport: tuple[int, int]):  # noqa: ANN001, ANN202
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "graph/", wait_until="load")
    page.wait_for_selector(".kb-graph-global[data-drawn='1']", timeout=20_000)
    return page, errors


def _painted(page) -> int:  # noqa: ANN001
    """Pixels of the WebGL stage that differ from its background (a blank or broken renderer paints none)."""
    from PIL import Image

    img = Image.open(io.BytesIO(page.locator(".kb-graph-stage").screenshot())).convert("RGB")
    bg = img.getpixel((1, 1))
    import numpy as np

    px = np.asarray(img, dtype=int)
    return int((np.abs(px - np.asarray(bg)).sum(axis=2) > 60).sum())


def _node_at(page, title: str) -> dict:  # noqa: ANN001
    """Viewport position (page coordinates) of the node titled `title`, after searching for it."""
    page.fill(".kb-graph-search", title)
    page.wait_for_selector(".kb-graph-hits button", timeout=5_000)
    page.press(".kb-graph-search", "Enter")
    page.wait_for_function("t => document.querySelector('.kb-graph-global').dataset.focus === t", arg=title)
    page.wait_for_timeout(700)  # the camera flies there
    return page.evaluate("""t => {
        const box = document.querySelector('.kb-graph-global'), r = box.kbRenderer, g = r.getGraph();
        const key = g.findNode((k, a) => a.label === t);
        const p = r.framedGraphToViewport(r.getNodeDisplayData(key));
        const s = box.querySelector('.kb-graph-stage').getBoundingClientRect();
        return {x: s.left + p.x, y: s.top + p.y}; }""", title)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1400, 900), (390, 844)], ids=["desktop", "phone"])
def test_global_graph_draws_every_node_with_a_legend(corpus_site: Site, server: str, browser, tmp_path: Path,  # noqa: ANN001
                                                    viewport: tuple[int, int]) -> None:
    d = graph(corpus_site)
    page, errors = _open(browser, server, viewport)
    box = page.locator(".kb-graph-global")
    assert int(box.get_attribute("data-nodes") or 0) == len(d["ids"])
    assert int(box.get_attribute("data-links") or 0) == len(d["e"]) // 2
    assert _painted(page) > 2000, "the graph stage is blank"
    legend = page.locator(".kb-graph-legend .kb-graph-type")
    assert legend.evaluate_all("bs => bs.map(b => b.dataset.type)") == d["types"]
    for k, name in enumerate(d["types"]):
        assert re.search(rf"\b{d['y'].count(k)}\b", legend.nth(k).inner_text()), name
    info = page.locator(".kb-graph-global .kb-graph-info").inner_text()
    assert f"{len(d['ids']):,} entries" in info
    page.screenshot(path=str(tmp_path / f"graph-{viewport[0]}.png"), full_page=True)
    assert (tmp_path / f"graph-{viewport[0]}.png").stat().st_size > 20_000
    assert not errors, errors
    page.close()


@pytest.mark.browser
def test_search_focuses_hover_shows_title_click_opens(corpus_site: Site, server: str, browser,  # noqa: ANN001
                                                      tmp_path: Path) -> None:
    d = graph(corpus_site)
    i = max(range(len(d["ids"])), key=lambda k: (d["e"].count(k), d["ids"][k]))  # a well-linked entry
    title, kind = d["t"][i], d["types"][d["y"][i]]
    page, errors = _open(browser, server, (1400, 900))
    pos = _node_at(page, title)
    page.mouse.move(pos["x"], pos["y"])
    page.wait_for_function("() => document.querySelector('.kb-graph-global').dataset.hover")
    assert page.locator(".kb-graph-global").get_attribute("data-hover") == title
    info = page.locator(".kb-graph-global .kb-graph-info").inner_text()
    assert info.startswith(f"{title} · {kind}"), info  # the bug: "Training Log (340.69…)"
    assert not re.search(r"\(\d+\.\d+", info)
    page.screenshot(path=str(tmp_path / "graph-focus.png"))
    with page.expect_navigation():
        page.mouse.click(pos["x"], pos["y"])
    assert page.url.rstrip("/").endswith(d["u"].get(str(i), d["ids"][i] + "/").rstrip("/"))
    assert not errors, errors
    page.close()


def _expected(d: dict, how: str, value: str) -> int:
    if how == "type":
        return sum(1 for y in d["y"] if d["types"][y] != value)
    if how == "tag":
        return sum(1 for g in d["g"] if any(d["tags"][k] == value or d["tags"][k].startswith(value + "/") for k in g))
    return sum(1 for f in d["f"] if d["folders"][f] == value or d["folders"][f].startswith(value + "/"))


@pytest.mark.browser
@pytest.mark.parametrize("how", ["type", "tag", "folder"])
def test_filters_hide_what_they_exclude(corpus_site: Site, server: str, browser, how: str) -> None:  # noqa: ANN001
    d = graph(corpus_site)
    page, errors = _open(browser, server, (1400, 900))
    box = page.locator(".kb-graph-global")
    if how == "type":
        value = d["types"][0]
        page.click(f".kb-graph-type[data-type='{value}']")
    elif how == "tag":
        counts = {t: _expected(d, "tag", t) for t in d["tags"]}
        value = max(counts, key=lambda t: (counts[t], t))
        page.select_option(".kb-graph-tag", str(d["tags"].index(value)))
    else:
        value = d["folders"][0].split("/")[0]
        page.select_option(".kb-graph-folder", value)
    want = _expected(d, how, value)
    assert 0 < want < len(d["ids"])
    page.wait_for_function("n => +document.querySelector('.kb-graph-global').dataset.nodes === n", arg=want)
    shown = page.evaluate("() => document.querySelector('.kb-graph-global').kbRenderer.getGraph().nodes().map(Number)")
    assert len(shown) == want
    if how == "type":
        assert all(d["types"][d["y"][k]] != value for k in shown)
        assert box.locator(f".kb-graph-type[data-type='{value}']").get_attribute("aria-pressed") == "false"
    assert not errors, errors
    page.close()


def _busiest(site: Site) -> str:
    truth = site.truth
    best = max((p for p in truth["backlinks"] if public(truth, p)), key=lambda p: (len(truth["backlinks"][p]), p))
    return slugify(best) + "/"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1400, 900), (390, 844)], ids=["desktop", "phone"])
def test_local_graph_depth_and_colours(corpus_site: Site, server: str, browser, tmp_path: Path,  # noqa: ANN001
                                       viewport: tuple[int, int]) -> None:
    d = graph(corpus_site)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(server + _busiest(corpus_site), wait_until="load")
    box = page.locator(".kb-graph-local")
    box.scroll_into_view_if_needed()
    page.wait_for_selector(".kb-graph-local[data-drawn='1']", timeout=10_000)
    one = int(box.get_attribute("data-nodes") or 0)
    local_colours = dict(box.locator(".kb-graph-type").evaluate_all(
        "bs => bs.map(b => [b.dataset.type, b.querySelector('.kb-graph-dot').style.background])"))
    assert local_colours and set(local_colours) <= set(d["types"])
    box.locator(".kb-graph-depth button[data-depth='2']").click()
    page.wait_for_function("n => +document.querySelector('.kb-graph-local').dataset.nodes > n", arg=one)
    assert box.get_attribute("data-depth") == "2"
    page.screenshot(path=str(tmp_path / f"local-{viewport[0]}.png"), full_page=True)
    # drawn from the page's own neighbourhood file: the whole graph.json is never downloaded
    assert server + _busiest(corpus_site) + "kb-local.json" in fetched
    assert not [u for u in fetched if u.split("?")[0].endswith("/graph.json")], fetched
    page.goto(server + "graph/", wait_until="load")
    page.wait_for_selector(".kb-graph-global[data-drawn='1']", timeout=20_000)
    global_colours = dict(page.locator(".kb-graph-global .kb-graph-type").evaluate_all(
        "bs => bs.map(b => [b.dataset.type, b.querySelector('.kb-graph-dot').style.background])"))
    assert {k: global_colours[k] for k in local_colours} == local_colours
    assert not errors, errors
    page.close()


# ---------- a graph too big to show whole (synthetic graph.json, no site build) ----------

BIG, SHOWN = 25_000, 20_000  # SHOWN: MAX_SHOWN in kb-graph.js


def _big_graph() -> dict:
    """Every node i links to i+1 and, for i % 5 == 0, to 3i+1: degrees 2-4, so the most-linked cut is well defined."""
    pairs = {(min(a, b), max(a, b)) for i in range(BIG) for a, b in ((i, (i + 1) % BIG), (i, (3 * i + 1) % BIG))
             if a != b and (b == (i + 1) % BIG or i % 5 == 0)}
    pairs_sorted = sorted(pairs)
    return {"v": 2, "types": ["note", "book", "item"], "tags": ["a", "a/b"], "folders": ["x", "y/z"],
            "ids": [f"e{i:05d}" for i in range(BIG)], "t": [f"Entry {i}" for i in range(BIG)],
            "y": [i % 3 for i in range(BIG)], "f": [i % 2 for i in range(BIG)], "g": [[i % 2] for i in range(BIG)],
            "xy": [c for i in range(BIG) for c in ((i * 7919) % 10_000, (i * 104_729) % 10_000)],
            "e": [c for p in pairs_sorted for c in p], "u": {}}


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    import shutil

    root = tmp_path_factory.mktemp("biggraph")
    src = Path(__file__).resolve().parents[2] / "site_plugins" / "assets"
    (root / "assets" / "kb").mkdir(parents=True)
    for name in ("kb.css", "kb-graph.css", "kb-graph.js"):
        shutil.copy(src / name, root / "assets" / "kb" / name)
    for lib in ("sigma", "graphology"):
        shutil.copytree(src / "vendor" / lib, root / "assets" / "kb" / "vendor" / lib)
    d = _big_graph()
    (root / "graph.json").write_text(json.dumps(d), encoding="utf-8")
    (root / "graph").mkdir()
    (root / "graph" / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="../assets/kb/kb.css">'
        '<link rel="stylesheet" href="../assets/kb/kb-graph.css"></head><body>'
        '<div class="kb-graph kb-graph-global" data-kb-graph="global" data-root="../"></div>'
        '<script src="../assets/kb/kb-graph.js"></script></body></html>', encoding="utf-8")
    with static_server(root) as url:
        yield url, d


@pytest.mark.browser
def test_big_graph_shows_the_most_linked_and_says_so(big_server: tuple[str, dict], browser,  # noqa: ANN001
                                                     tmp_path: Path) -> None:
    server, d = big_server
    deg = [0] * BIG
    for i in d["e"]:
        deg[i] += 1
    top = set(sorted(range(BIG), key=lambda i: (-deg[i], i))[:SHOWN])
    links = sum(1 for a, b in zip(d["e"][::2], d["e"][1::2], strict=True) if a in top and b in top)
    page, errors = _open(browser, server, (1400, 900))
    box = page.locator(".kb-graph-global")
    assert int(box.get_attribute("data-nodes") or 0) == SHOWN
    assert int(box.get_attribute("data-links") or 0) == links
    info = page.locator(".kb-graph-global .kb-graph-info").inner_text()
    assert f"Showing the {SHOWN:,} most-linked of {BIG:,} entries" in info, info
    page.wait_for_selector(".kb-graph-global[data-complete='1']", state="attached", timeout=30_000)
    assert page.evaluate("() => document.querySelector('.kb-graph-global').kbRenderer.getGraph().size") == links
    hidden = min(set(range(BIG)) - top)  # searching an entry left out brings it (and its neighbours) in
    page.fill(".kb-graph-search", f"Entry {hidden}")
    page.wait_for_selector(".kb-graph-hits button", timeout=5_000)
    first = page.locator(".kb-graph-hits button").first
    assert first.inner_text() == f"Entry {hidden}"  # the exact title ranks first, however poorly linked
    first.click()
    page.wait_for_function("t => document.querySelector('.kb-graph-global').dataset.focus === t", arg=f"Entry {hidden}")
    assert page.evaluate("k => document.querySelector('.kb-graph-global').kbRenderer.getGraph().hasNode(k)",
                         str(hidden))
    page.screenshot(path=str(tmp_path / "graph-25k.png"))
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("vendor_assets", [False, True])
def test_graph_libraries_ship_with_or_without_vendor_assets(tmp_path: Path, vendor_assets: bool) -> None:
    from kbsite import build

    from kbsync.testing.corpus import ensure

    content, _ = ensure(tmp_path / "c", 30)
    site = build(content, tmp_path / "site", vendor_assets=vendor_assets)
    vendor = site.out / "assets" / "kb" / "vendor"
    for f in ("sigma/sigma.min.js", "sigma/LICENSE", "graphology/graphology.umd.min.js", "graphology/LICENSE"):
        assert (vendor / f).is_file(), f
    assert (vendor / "katex" / "katex.min.js").is_file() == vendor_assets


def test_large_graph_lays_out_the_most_linked_core_and_puts_the_rest_by_their_links(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import site_plugins.graph_layout as gl

    monkeypatch.setattr(gl, "CORE", 60)
    n = 300  # 0..59: a ring of hubs (each also linked to 4 leaves); 60..299: leaves; 240..299 unlinked
    pairs = sorted({(min(i, (i + 1) % 60), max(i, (i + 1) % 60)) for i in range(60)}
                   | {(i % 60, i) for i in range(60, 240)})
    gl._last[:] = [None, []]
    xy = layout([f"n{i}" for i in range(n)], pairs)
    gl._last[:] = [None, []]
    assert layout([f"n{i}" for i in range(n)], pairs) == xy
    spread = math.dist(min(xy[:60]), max(xy[:60]))
    for hub, leaf in ((i % 60, i) for i in range(60, 240)):  # leaves sit on their hub (one anchor: its position)
        assert math.dist(xy[hub], xy[leaf]) < 0.05 * spread + 0.02 * SCALE
    cx, cy = sum(x for x, _ in xy[:60]) / 60, sum(y for _, y in xy[:60]) / 60
    ring = max(math.dist((cx, cy), p) for p in xy[:240])
    assert all(math.dist((cx, cy), p) >= 0.9 * ring for p in xy[240:])  # unlinked: on the rim, not in the middle
