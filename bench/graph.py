#!/usr/bin/env python3
"""Global graph page benchmark in headless Chromium: the WebGL page vs main's canvas page, same run, same data.

    python bench/graph.py [--entries 10000 100000] [--out bench/out/graph] [--full-site-max 10000]

For each size: a generated corpus (kbsync.testing.corpus), then
  - sizes <= --full-site-max: the whole kb site is built and its /graph/ page is measured;
  - larger sizes: only graph.json and a minimal graph page (same markup, scripts and CSS) are built from the
    synced store, because a 100,000-entry site build does not fit the benchmark's time (said in the output).
Main's page (bench/graph_baseline/kb-graph-main.js, a copy of main's site_plugins/assets/kb-graph.js) is served
from the same directory as graph-main/, reading the same graph in main's JSON format (graph-main.json). Figures: time to first paint (navigation start to the first drawn
frame), frames per second of requestAnimationFrame during a scripted 4 s of wheel zoom and drag pan, and the
JS heap (CDP Runtime.getHeapUsage) after it. Targets at 10,000 entries: first paint <= 2 s, >= 30 fps.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "site"))  # kbsite.static_server

BASELINE = ROOT / "bench" / "graph_baseline" / "kb-graph-main.js"
CHROMIUM = "/usr/bin/chromium"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Graph</title>
<link rel="stylesheet" href="../assets/kb/kb.css">{css}</head>
<body><h1>Graph</h1>{body}<script src="{js}"></script></body></html>"""
OLD_MARKUP = ('<div class="kb-graph kb-graph-global" data-kb-graph="global" data-root="../">'
              '<canvas></canvas><div class="kb-graph-info"></div></div>')
# Record when a graph first says it has drawn (both pages set data-drawn after their first frame).
PAINT_PROBE = """
window.__kbPaint = null;
new MutationObserver((ms, obs) => {
  for (const m of ms) if (m.target.getAttribute && m.target.getAttribute('data-drawn') === '1') {
    window.__kbPaint = performance.now(); obs.disconnect(); return; }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-drawn']});
"""


def old_graph_json(d: dict) -> str:
    """main's graph.json format (nodes [{id, t, u, y: type name}], links [[a, b, kind]]) of the same graph."""
    nodes = [{"id": s, "t": t, "u": d["u"].get(str(i), f"{s}/"), "y": d["types"][y]}
             for i, (s, t, y) in enumerate(zip(d["ids"], d["t"], d["y"], strict=True))]
    links = [[a, b, "link"] for a, b in zip(d["e"][::2], d["e"][1::2], strict=True)]
    return json.dumps({"nodes": nodes, "links": links}, ensure_ascii=False, separators=(",", ":"))


def build(n: int, out: Path, full: bool) -> tuple[Path, dict]:
    """The site directory for `n` entries (full kb site or graph only) with main's page beside it."""
    from kbsync.testing.corpus import ensure

    content, _ = ensure(out, n)
    site, store = out / "site", f"sqlite:///{out / 'kb.sqlite'}"
    info: dict = {"site": "full kb site" if full else "graph.json + graph page only (no full site build)"}
    t0 = time.perf_counter()
    if full and not (site / "graph" / "index.html").exists():
        from site_plugins.config import build_site

        build_site(content, site, store_url=store)
        info["build_s"] = time.perf_counter() - t0
    elif not full and not (site / "graph.json").exists():  # reused when there: 100k records take GBs
        from site_plugins.graph import graph_json
        from site_plugins.index import SiteIndex, sync_and_load

        records, _ = sync_and_load(str(content), store, sync=not (out / "kb.sqlite").exists())
        info["sync_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        (site / "graph").mkdir(parents=True, exist_ok=True)
        (site / "graph.json").write_text(graph_json(SiteIndex.from_records(records)), encoding="utf-8")
        info["graph_json_s"] = time.perf_counter() - t1
        del records
    if not full:
        (site / "graph" / "index.html").write_text(PAGE.format(
            css='<link rel="stylesheet" href="../assets/kb/kb-graph.css">', js="../assets/kb/kb-graph.js",
            body=OLD_MARKUP), encoding="utf-8")
    assets, src = site / "assets" / "kb", ROOT / "site_plugins" / "assets"
    for name in ("kb.css", "kb-graph.css", "kb-graph.js"):  # the current scripts, even in a site built earlier
        (assets / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / name, assets / name)
    for lib in ("sigma", "graphology"):
        shutil.copytree(src / "vendor" / lib, assets / "vendor" / lib, dirs_exist_ok=True)
    d = json.loads((site / "graph.json").read_text(encoding="utf-8"))
    info["graph_json_bytes"] = (site / "graph.json").stat().st_size
    import site_plugins.graph_layout as gl

    gl._last[:] = [None, []]  # from scratch, as a first build does
    t1 = time.perf_counter()
    gl.layout(d["ids"], list(zip(d["e"][::2], d["e"][1::2], strict=True)))
    info["layout_s"] = time.perf_counter() - t1
    old = site / "graph-main"
    old.mkdir(exist_ok=True)
    (site / "graph-main.json").write_text(old_graph_json(d), encoding="utf-8")
    info["main_json_bytes"] = (site / "graph-main.json").stat().st_size
    js = BASELINE.read_text(encoding="utf-8").replace('root + "graph.json"', 'root + "graph-main.json"')
    (old / "kb-graph-main.js").write_text(js, encoding="utf-8")
    (old / "index.html").write_text(PAGE.format(css="", js="kb-graph-main.js", body=OLD_MARKUP), encoding="utf-8")
    # The same pan/zoom script on a page that draws nothing: the most frames this machine gives right now.
    (site / "control.html").write_text("<!doctype html><title>control</title><h1>Nothing to draw</h1>", encoding="utf-8")
    return site, info


def measure(browser, url: str, timeout_s: float) -> dict:  # noqa: ANN001
    """First paint, fps during scripted pan/zoom, JS heap for one page load."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    page.add_init_script(PAINT_PROBE)
    out: dict = {}
    try:
        page.goto(url, wait_until="load", timeout=timeout_s * 1000)
        control = "graph" not in url
        if not control:
            page.wait_for_function("() => window.__kbPaint !== null", timeout=timeout_s * 1000, polling=50)
            out["paint_s"] = page.evaluate("() => window.__kbPaint") / 1000
            if page.evaluate("() => !!document.querySelector('.kb-graph-stage')"):  # WebGL page: edges come next
                page.wait_for_selector("[data-complete='1']", timeout=timeout_s * 1000, state="attached")
                out["complete_s"] = page.evaluate("() => performance.now()") / 1000
            out["nodes"] = page.evaluate("() => +document.querySelector('[data-kb-graph]').dataset.nodes")
        page.wait_for_timeout(500)
        box = page.locator("[data-kb-graph] .kb-graph-stage, [data-kb-graph] canvas, h1").first.bounding_box()
        assert box is not None
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.evaluate("""() => { window.__frames = 0; window.__t0 = performance.now();
            (function f() { window.__frames++; requestAnimationFrame(f); })(); }""")
        t_end, step = time.perf_counter() + 4.0, 0
        page.mouse.move(cx, cy)
        while time.perf_counter() < t_end:  # zoom in and out, drag around: what a reader does
            step += 1
            page.mouse.wheel(0, -120 if (step // 10) % 2 == 0 else 120)
            page.mouse.down()
            page.mouse.move(cx + 60 * ((step % 8) - 4), cy + 40 * ((step % 6) - 3), steps=4)
            page.mouse.up()
        out["fps"] = page.evaluate("() => window.__frames / ((performance.now() - window.__t0) / 1000)")
        cdp = ctx.new_cdp_session(page)
        out["heap_mb"] = cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
    except Exception as e:  # noqa: BLE001 (a page that never paints is a result, not a crash)
        out["error"] = type(e).__name__ + ": " + str(e).splitlines()[0][:120]
    finally:
        ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "graph")
    ap.add_argument("--full-site-max", type=int, default=10_000, help="larger sizes build graph.json + page only")
    ap.add_argument("--timeout", type=float, default=90.0, help="seconds a page may take to first paint")
    a = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    from kbsite import static_server
    from playwright.sync_api import sync_playwright

    rows = []
    for n in a.entries:
        site, info = build(n, (a.out / str(n)).resolve(), full=n <= a.full_site_max)
        print(f"{n:,} entries: {info['site']}; " + ", ".join(
            f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in info.items() if k != "site"),
            flush=True)
        with static_server(site) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            try:
                for name, path in (("WebGL (this branch)", "graph/"), ("canvas (main)", "graph-main/"),
                                   ("control: empty page", "control.html")):
                    r = measure(browser, url + path, a.timeout)
                    rows.append((n, name, r))
                    print(_row(n, name, r), flush=True)
            finally:
                browser.close()
    print("\nentries  page                 first paint    fps   JS heap  nodes drawn")
    for n, name, r in rows:
        print(_row(n, name, r))
    for n, name, r in rows:
        if n == 10_000 and name.startswith("WebGL") and "error" not in r:
            ok = r["paint_s"] <= 2.0 and r["fps"] >= 30
            print(f"\n10,000 entries targets (first paint <= 2 s, >= 30 fps): {'OK' if ok else 'MISS'}")
    print(f"load average while measuring: {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())} "
          f"on {__import__('os').cpu_count()} cores (the control row is this machine's ceiling)")


def _row(n: int, name: str, r: dict) -> str:
    if "error" in r:
        return f"{n:>7,}  {name:<20} {r['error']}"
    if "paint_s" not in r:
        return f"{n:>7,}  {name:<20} {'':>10}  {r['fps']:6.1f}  {r['heap_mb']:6.0f} MB"
    done = f"  (edges in at {r['complete_s']:.2f} s)" if "complete_s" in r else ""
    return (f"{n:>7,}  {name:<20} {r['paint_s']:8.2f} s  {r['fps']:6.1f}  {r['heap_mb']:6.0f} MB  "
            f"{r.get('nodes', 0):,}{done}")


if __name__ == "__main__":
    main()
