/* kb graph. graph.json (site_plugins/graph.py): {v: 2, types, tags, folders: lookup tables; ids, t (titles),
   y (type index), f (folder index), g (tag indexes): one item per public entry; xy: flat x,y ints laid out at build
   time; e: edges as flat index pairs; u: {index: url} where the URL is not `<id>/`}.
   Global graph: WebGL (vendored sigma + graphology, loaded only on that page) with legend, filters and search.
   Local graph: canvas 2D, entries within 1 or 2 hops, the same colours, drawn from the page's own kb-local.json
   (site_plugins/graph_local.py: {v: 1, types: names, ids, t, y (index into types), d (distance), e (flat index
   pairs), u}; the entry first, at most 120) and graph-types.json ({types}: names by count, as graph.json's),
   so an entry page never downloads graph.json. */
(function () {
  "use strict";
  // Tableau-like, distinguishable on light and dark backgrounds; the type index picks the colour everywhere.
  var PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7",
                 "#9c755f", "#2f6fdf", "#8cd17d", "#d37295"];
  var OTHER = "#8a8a8a";
  var MAX_SHOWN = 20000;  // beyond this the global view shows the most-linked entries (and says so)
  var cache = {};

  function colour(i) { return i < PALETTE.length ? PALETTE[i] : OTHER; }

  function load(root) {
    if (!cache[root]) cache[root] = fetch(root + "graph.json").then(function (r) {
      if (!r.ok) throw new Error("graph.json: HTTP " + r.status);
      return r.json();
    }).then(prepare);
    return cache[root];
  }

  function prepare(d) {
    if (d.v !== 2) throw new Error("graph.json: unknown format " + d.v);
    var n = d.ids.length, deg = new Int32Array(n), e = d.e, i;
    for (i = 0; i < e.length; i++) deg[e[i]]++;
    d.n = n; d.deg = deg;
    return d;
  }

  function adjacency(d) {
    if (d.adj) return d.adj;
    var adj = new Array(d.n), i;
    for (i = 0; i < d.n; i++) adj[i] = [];
    for (i = 0; i < d.e.length; i += 2) { adj[d.e[i]].push(d.e[i + 1]); adj[d.e[i + 1]].push(d.e[i]); }
    d.adj = adj;
    return adj;
  }

  function url(d, i) { return d.u[i] || d.ids[i] + "/"; }

  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) x.className = cls;
    if (text != null) x.textContent = text;  // titles are data: never innerHTML
    return x;
  }

  function legend(box, d, counts, onToggle) {
    box.textContent = "";
    counts.forEach(function (c, ti) {
      if (!c) return;
      var b = el("button", "kb-graph-type");
      b.type = "button";
      b.setAttribute("data-type", d.types[ti]);
      b.setAttribute("aria-pressed", "true");
      var dot = el("span", "kb-graph-dot");
      dot.style.background = colour(ti);
      b.appendChild(dot);
      b.appendChild(document.createTextNode(d.types[ti] + " " + c.toLocaleString("en")));
      if (onToggle) b.addEventListener("click", function () {
        var on = b.getAttribute("aria-pressed") !== "true";
        b.setAttribute("aria-pressed", String(on));
        onToggle(ti, on);
      });
      else b.disabled = true;
      box.appendChild(b);
    });
  }

  /* ---------- local graph: canvas 2D ---------- */

  var localCache = {};

  function json(href) {
    if (!localCache[href]) localCache[href] = fetch(href).then(function (r) {
      if (!r.ok) throw new Error(href + ": HTTP " + r.status);
      return r.json();
    });
    return localCache[href];
  }

  // The page's neighbourhood, its type indexes mapped to the site-wide order (the global graph's colours).
  function loadLocal(src, root) {
    return Promise.all([json(src), json(root + "graph-types.json")]).then(function (res) {
      var d = res[0], order = res[1].types.slice(), at = {};
      if (d.v !== 1) throw new Error("kb-local.json: unknown format " + d.v);
      order.forEach(function (name, i) { at[name] = i; });
      d.y = d.y.map(function (k) {  // a type the site-wide list lacks (a newer file): appended, grey
        var name = d.types[k];
        if (!(name in at)) { at[name] = order.length; order.push(name); }
        return at[name];
      });
      d.types = order;
      return d;
    });
  }

  // The server already chose the nodes (closest, then best-linked): depth 1 shows those one link away.
  function subgraph(d, depth) {
    var keep = [], map = {}, i;
    for (i = 0; i < d.ids.length; i++) if (d.d[i] <= depth) { map[i] = keep.length; keep.push(i); }
    var nodes = keep.map(function (a) { return { i: a, t: d.t[a], ty: d.y[a], dist: d.d[a] }; });
    var links = [];
    for (i = 0; i < d.e.length; i += 2) {
      if (d.e[i] in map && d.e[i + 1] in map) links.push([map[d.e[i]], map[d.e[i + 1]]]);
    }
    return { nodes: nodes, links: links, center: keep.length ? 0 : -1 };
  }

  function settle(g, w, h) {
    var n = g.nodes.length, i, j, step;
    g.nodes.forEach(function (o, k) {
      var a = k * 2.399963, r = 12 * Math.sqrt(k + 1);  // phyllotaxis start: deterministic, spread
      o.px = w / 2 + r * Math.cos(a); o.py = h / 2 + r * Math.sin(a); o.vx = 0; o.vy = 0; o.deg = 0;
    });
    g.links.forEach(function (l) { g.nodes[l[0]].deg++; g.nodes[l[1]].deg++; });
    if (g.center >= 0) { g.nodes[g.center].px = w / 2; g.nodes[g.center].py = h / 2; }
    var k2 = Math.min(w * h / Math.max(n, 1), 6400), kk = Math.min(Math.sqrt(k2) * 0.75, 60), iters = 220;
    var pad = n <= 40 ? Math.min(90, w / 4) : 0;
    for (step = 0; step < iters; step++) {
      var t = 1 - step / iters;
      for (i = 0; i < n; i++) {  // repulsion
        var a = g.nodes[i];
        for (j = i + 1; j < n; j++) {
          var b = g.nodes[j], dx = a.px - b.px, dy = a.py - b.py, d2 = dx * dx + dy * dy + 0.01;
          if (d2 > 9 * k2) continue;
          var f = k2 / d2 * 0.06;
          a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
        }
      }
      g.links.forEach(function (l) {  // springs
        var a = g.nodes[l[0]], b = g.nodes[l[1]], dx = b.px - a.px, dy = b.py - a.py;
        var dd = Math.sqrt(dx * dx + dy * dy) + 0.01, f = (dd - kk) / dd * 0.08;
        a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
      });
      for (i = 0; i < n; i++) {
        var o = g.nodes[i];
        o.vx += (w / 2 - o.px) * 0.004; o.vy += (h / 2 - o.py) * 0.004;  // gravity
        var sp = Math.sqrt(o.vx * o.vx + o.vy * o.vy), max = 20 * t + 1;
        if (sp > max) { o.vx *= max / sp; o.vy *= max / sp; }
        if (i !== g.center) { o.px += o.vx; o.py += o.vy; }
        o.vx *= 0.6; o.vy *= 0.6;
        o.px = Math.max(8, Math.min(w - 8 - pad, o.px)); o.py = Math.max(8, Math.min(h - 8, o.py));
      }
    }
  }

  function drawLocal(ctx, g, w, h, hover) {
    var fg = (getComputedStyle(document.body).getPropertyValue("--md-default-fg-color") || "").trim() || "#333";
    ctx.clearRect(0, 0, w, h);
    ctx.lineWidth = 0.7;
    ctx.strokeStyle = "rgba(120,120,140,0.45)";
    ctx.beginPath();
    g.links.forEach(function (l) {
      var a = g.nodes[l[0]], b = g.nodes[l[1]];
      ctx.moveTo(a.px, a.py); ctx.lineTo(b.px, b.py);
    });
    ctx.stroke();
    ctx.font = "11px sans-serif";
    g.nodes.forEach(function (o, i) {
      var r = i === g.center ? 6 : Math.min(2.5 + Math.sqrt(o.deg), 8);
      ctx.fillStyle = colour(o.ty);
      ctx.beginPath(); ctx.arc(o.px, o.py, r, 0, 6.2832); ctx.fill();
      if (i === g.center || i === hover) { ctx.strokeStyle = fg; ctx.lineWidth = 1.5; ctx.stroke(); ctx.lineWidth = 0.7; }
      if (g.nodes.length <= 40 || i === hover || i === g.center || o.lab) {
        ctx.fillStyle = fg;
        ctx.fillText(o.t.length > 28 ? o.t.slice(0, 27) + "…" : o.t, o.px + r + 2, o.py + 3);
      }
    });
  }

  function mountLocal(box) {
    var canvas = box.querySelector("canvas"), root = box.getAttribute("data-root") || "./";
    var leg = box.querySelector(".kb-graph-legend");
    var state = { g: null, hover: -1 };
    loadLocal(box.getAttribute("data-src") || "kb-local.json", root).then(function (d) {
      var dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || 300, h = canvas.clientHeight || 200;
      canvas.width = w * dpr; canvas.height = h * dpr;
      var ctx = canvas.getContext("2d");
      ctx.scale(dpr, dpr);
      function render() {
        var depth = +box.getAttribute("data-depth") === 2 ? 2 : 1;
        var g = state.g = subgraph(d, depth);
        settle(g, w, h);
        // Crowded: label only the best-connected few (the rest on hover), or the labels overprint each other.
        g.nodes.slice().sort(function (a, b) { return b.deg - a.deg || a.i - b.i; }).slice(0, 6)
          .forEach(function (o) { o.lab = true; });
        box.setAttribute("data-nodes", g.nodes.length);
        box.setAttribute("data-links", g.links.length);
        var counts = d.types.map(function () { return 0; });
        g.nodes.forEach(function (o) { counts[o.ty]++; });
        if (leg) legend(leg, d, counts, null);
        drawLocal(ctx, g, w, h, -1);
        box.setAttribute("data-drawn", "1");
      }
      box.querySelectorAll(".kb-graph-depth button").forEach(function (b) {
        b.addEventListener("click", function () {
          box.setAttribute("data-depth", b.getAttribute("data-depth"));
          box.querySelectorAll(".kb-graph-depth button").forEach(function (x) {
            x.setAttribute("aria-pressed", String(x === b));
          });
          render();
        });
      });
      render();
      function pick(ev) {
        var rect = canvas.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top, best = -1, bd = 100;
        state.g.nodes.forEach(function (o, i) { var q = (o.px - x) * (o.px - x) + (o.py - y) * (o.py - y); if (q < bd) { bd = q; best = i; } });
        return best;
      }
      canvas.addEventListener("mousemove", function (ev) {
        var p = pick(ev);
        if (p === state.hover) return;
        state.hover = p;
        drawLocal(ctx, state.g, w, h, p);
        canvas.style.cursor = p >= 0 ? "pointer" : "default";
        canvas.title = p >= 0 ? state.g.nodes[p].t + " (" + d.types[state.g.nodes[p].ty] + ")" : "";
      });
      canvas.addEventListener("click", function (ev) {
        var p = pick(ev);
        if (p >= 0) window.location.href = root + url(d, state.g.nodes[p].i);
      });
    }).catch(function (e) { box.setAttribute("data-error", String(e)); });
  }

  /* ---------- global graph: WebGL ---------- */

  function script(src) {
    return new Promise(function (ok, fail) {
      var s = document.createElement("script");
      s.src = src; s.onload = ok;
      s.onerror = function () { fail(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function vendor(root) {
    if (window.Sigma && window.graphology) return Promise.resolve();
    var base = root + "assets/kb/vendor/";
    return Promise.all([script(base + "graphology/graphology.umd.min.js"), script(base + "sigma/sigma.min.js")]);
  }

  function option(sel, value, text) { var o = el("option", null, text); o.value = value; sel.appendChild(o); }

  function controls(box, d) {
    var bar = el("div", "kb-graph-bar");
    var search = el("input", "kb-graph-search");
    search.type = "search"; search.placeholder = "Find an entry"; search.setAttribute("aria-label", "Find an entry in the graph");
    search.setAttribute("autocomplete", "off");
    var hits = el("ul", "kb-graph-hits");
    hits.setAttribute("role", "listbox"); hits.setAttribute("aria-label", "Entries matching the search");
    var find = el("div", "kb-graph-find");
    find.appendChild(search); find.appendChild(hits);
    var tag = el("select", "kb-graph-tag"), folder = el("select", "kb-graph-folder");
    tag.setAttribute("aria-label", "Filter by tag"); folder.setAttribute("aria-label", "Filter by folder");
    option(tag, "", "All tags");
    d.tags.forEach(function (t, i) { option(tag, String(i), "#" + t); });
    option(folder, "", "All folders");
    var prefixes = {};
    d.folders.forEach(function (f) {
      var parts = f.split("/");
      for (var i = 1; i <= parts.length; i++) if (parts[0]) prefixes[parts.slice(0, i).join("/")] = 1;
    });
    Object.keys(prefixes).sort().forEach(function (f) { option(folder, f, f + "/"); });
    bar.appendChild(find); bar.appendChild(tag); bar.appendChild(folder);
    var leg = el("div", "kb-graph-legend"), stage = el("div", "kb-graph-stage"), info = el("div", "kb-graph-info");
    info.setAttribute("aria-live", "polite");
    box.textContent = "";
    box.appendChild(bar); box.appendChild(leg); box.appendChild(stage); box.appendChild(info);
    return { search: search, hits: hits, tag: tag, folder: folder, legend: leg, stage: stage, info: info };
  }

  function mountGlobal(box) {
    var root = box.getAttribute("data-root") || "./";
    var t0 = performance.now();
    Promise.all([load(root), vendor(root)]).then(function (res) {
      var d = res[0], ui = controls(box, d), n = d.n;
      var hiddenTypes = {}, focus = -1, renderer = null, shown = null, hover = -1, generation = 0;
      var fg = (getComputedStyle(document.body).getPropertyValue("--md-default-fg-color") || "").trim() || "#222";
      var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
      var counts = d.types.map(function () { return 0; });
      for (var i = 0; i < n; i++) counts[d.y[i]]++;
      legend(ui.legend, d, counts, function (ti, on) { if (on) delete hiddenTypes[ti]; else hiddenTypes[ti] = 1; rebuild(); });

      function passes(i, tag, folder) {
        if (hiddenTypes[d.y[i]]) return false;
        if (tag >= 0) {
          var ok = false, g = d.g[i], name = d.tags[tag];
          for (var k = 0; k < g.length && !ok; k++) ok = g[k] === tag || d.tags[g[k]].indexOf(name + "/") === 0;
          if (!ok) return false;
        }
        if (folder) { var f = d.folders[d.f[i]]; if (f !== folder && f.indexOf(folder + "/") !== 0) return false; }
        return true;
      }

      function select() {
        var tag = ui.tag.value === "" ? -1 : +ui.tag.value, folder = ui.folder.value, keep = [], i;
        for (i = 0; i < n; i++) if (passes(i, tag, folder)) keep.push(i);
        var total = keep.length;
        if (keep.length > MAX_SHOWN) {  // most-linked first; the searched entry and its neighbours always shown
          keep.sort(function (a, b) { return d.deg[b] - d.deg[a] || a - b; });
          keep = keep.slice(0, MAX_SHOWN);
          if (focus >= 0) { keep.push(focus); adjacency(d)[focus].forEach(function (b) { keep.push(b); }); }
        }
        return { nodes: keep, total: total };
      }

      function rebuild() {
        var sel = select(), G = new window.graphology.Graph({ type: "undirected", multi: false, allowSelfLoops: false });
        var on = new Uint8Array(n), xy = d.xy;
        sel.nodes.forEach(function (i) {
          if (on[i]) return;
          on[i] = 1;
          G.addNode(String(i), { x: xy[2 * i], y: -xy[2 * i + 1], label: d.t[i], color: colour(d.y[i]),
                                 size: Math.min(1.5 + Math.sqrt(d.deg[i]) * 0.8, 14) });
        });
        var e = d.e, pairs = [], k;
        for (k = 0; k < e.length; k += 2) if (on[e[k]] && on[e[k + 1]]) pairs.push(e[k], e[k + 1]);
        var edges = pairs.length / 2, gen = ++generation;
        function addEdges(g) { for (var j = 0; j < pairs.length; j += 2) g.addEdge(String(pairs[j]), String(pairs[j + 1])); }
        // First view of a big graph: paint the nodes at once, the edges one task later (they are most of the work).
        var progressive = !renderer && edges > 5000;
        if (!progressive) addEdges(G);
        shown = on;
        box.setAttribute("data-nodes", G.order);
        box.setAttribute("data-links", edges);
        box.setAttribute("data-total", n);
        var msg = sel.total === n ? n.toLocaleString("en") + " entries, " + edges.toLocaleString("en") + " links"
          : sel.total.toLocaleString("en") + " of " + n.toLocaleString("en") + " entries match";
        if (G.order < sel.total) msg = "Showing the " + G.order.toLocaleString("en") + " most-linked of " + msg +
          " (filter or search to see the others)";
        ui.info.textContent = msg + ". Scroll to zoom, drag to pan, click an entry to open it.";
        if (!renderer) {
          renderer = new window.Sigma(G, ui.stage, {
            // Opaque edge colour: an rgba one came out invisible.
            defaultEdgeColor: dark ? "#3b3f52" : "#d6d6de", labelColor: { color: fg }, labelSize: 12, labelFont: "sans-serif",
            labelDensity: 0.6, labelGridCellSize: 120, labelRenderedSizeThreshold: 5, enableCameraRotation: false,
            // Large graphs: 1-pixel GL lines and points (a vertex each, not triangles), and no edges or labels
            // while the camera moves, so pan and zoom stay fluid even on a software (SwiftShader) GPU.
            hideEdgesOnMove: edges > 5000, hideLabelsOnMove: n > 5000, zIndex: false,
            minCameraRatio: 0.02, maxCameraRatio: 4, defaultNodeType: n > 5000 ? "point" : "circle",
            nodeProgramClasses: { point: window.Sigma.rendering.NodePointProgram },
            edgeProgramClasses: { line: window.Sigma.rendering.EdgeLineProgram },
            nodeReducer: function (key, attrs) {
              if (+key === focus) return Object.assign({}, attrs, { highlighted: true, zIndex: 1 });
              return attrs;
            }
          });
          renderer.on("enterNode", function (ev) {
            hover = +ev.node;
            box.setAttribute("data-hover", d.t[hover]);
            ui.info.textContent = d.t[hover] + " · " + d.types[d.y[hover]] + " · " + d.deg[hover] + " links";
            ui.stage.style.cursor = "pointer";
          });
          renderer.on("leaveNode", function () { hover = -1; ui.stage.style.cursor = ""; });
          renderer.on("clickNode", function (ev) { window.location.href = root + url(d, +ev.node); });
          requestAnimationFrame(function () {  // sigma drew synchronously in its constructor: this is the paint
            box.setAttribute("data-drawn", "1");
            box.setAttribute("data-paint-ms", Math.round(performance.now() - t0));
            setTimeout(function () {
              if (progressive && gen === generation) { var full = G.copy(); addEdges(full); renderer.setGraph(full); }
              requestAnimationFrame(function () { box.setAttribute("data-complete", "1"); });
            }, 0);
          });
        } else renderer.setGraph(G);
        box.kbRenderer = renderer;  // for tests and the benchmark
      }

      function goTo(i) {
        focus = i;
        if (!shown[i] || hiddenTypes[d.y[i]]) {  // make sure the entry is on screen before flying to it
          delete hiddenTypes[d.y[i]];
          ui.legend.querySelectorAll("button").forEach(function (b) {
            if (b.getAttribute("data-type") === d.types[d.y[i]]) b.setAttribute("aria-pressed", "true");
          });
          ui.tag.value = ""; ui.folder.value = "";
          rebuild();
        }
        var p = renderer.getNodeDisplayData(String(i));
        if (p) renderer.getCamera().animate({ x: p.x, y: p.y, ratio: 0.08 }, { duration: 400 });
        renderer.refresh();
        box.setAttribute("data-focus", d.t[i]);
        ui.info.textContent = d.t[i] + " · " + d.types[d.y[i]] + " · " + d.deg[i] + " links (click it to open)";
      }

      var timer = 0;
      ui.search.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var q = ui.search.value.trim().toLowerCase(), found = [], lt = d.lt || (d.lt = d.t.map(function (t) { return t.toLowerCase(); }));
          ui.hits.textContent = "";
          if (!q) return;
          for (var i = 0; i < n; i++) if (lt[i].indexOf(q) >= 0) found.push(i);
          function rank(i) { return lt[i] === q ? 0 : lt[i].indexOf(q) === 0 ? 1 : 2; }
          found.sort(function (a, b) { return rank(a) - rank(b) || d.deg[b] - d.deg[a] || a - b; });  // exact, prefix, linked
          found.slice(0, 8).forEach(function (i) {
            var li = el("li"), b = el("button", null, d.t[i]);
            b.type = "button";
            b.addEventListener("click", function () { ui.hits.textContent = ""; ui.search.value = d.t[i]; goTo(i); });
            li.appendChild(b); ui.hits.appendChild(li);
          });
        }, 80);
      });
      ui.search.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") { var b = ui.hits.querySelector("button"); if (b) { ev.preventDefault(); b.click(); } }
        if (ev.key === "Escape") ui.hits.textContent = "";
      });
      ui.tag.addEventListener("change", rebuild);
      ui.folder.addEventListener("change", rebuild);
      rebuild();
    }).catch(function (e) {
      box.setAttribute("data-error", String(e));
      var msg = el("p", "kb-graph-info", "The graph could not be drawn: " + (e && e.message || e) +
        (/WebGL/i.test(String(e)) ? " (this page needs WebGL)." : "."));
      box.appendChild(msg);
    });
  }

  function init() {
    document.querySelectorAll("[data-kb-graph]").forEach(function (box) {
      if (box.kbMounted) return;
      box.kbMounted = 1;
      if (box.getAttribute("data-kb-graph") === "local") mountLocal(box); else mountGlobal(box);
    });
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
