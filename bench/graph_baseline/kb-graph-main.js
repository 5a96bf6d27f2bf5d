/* kb graph: draws graph.json on <canvas> with a small force layout (no libraries, works offline).
   Local graph: entries within data-depth hops of data-center. Global graph: every public entry. */
(function () {
  "use strict";
  var COLORS = ["#3f51b5", "#e91e63", "#009688", "#ff9800", "#795548", "#9c27b0", "#607d8b", "#4caf50"];
  var cache = {};

  function load(root) {
    if (!cache[root]) cache[root] = fetch(root + "graph.json").then(function (r) { return r.json(); });
    return cache[root];
  }

  function subgraph(data, center, depth) {
    var idx = -1, i;
    for (i = 0; i < data.nodes.length; i++) if (data.nodes[i].id === center) { idx = i; break; }
    if (idx < 0) return { nodes: [], links: [], center: -1 };
    var adj = {};
    data.links.forEach(function (l) {
      (adj[l[0]] = adj[l[0]] || []).push(l[1]);
      (adj[l[1]] = adj[l[1]] || []).push(l[0]);
    });
    var dist = {}; dist[idx] = 0;
    var frontier = [idx];
    for (var d = 0; d < depth; d++) {
      var next = [];
      frontier.forEach(function (n) {
        (adj[n] || []).forEach(function (m) { if (!(m in dist)) { dist[m] = d + 1; next.push(m); } });
      });
      frontier = next;
    }
    // Hubs: keep the closest, best-connected neighbours so the local graph stays readable.
    var keep = Object.keys(dist).map(Number).sort(function (a, b) {
      return dist[a] - dist[b] || (adj[b] || []).length - (adj[a] || []).length || a - b;
    }).slice(0, 80);
    var map = {};
    var nodes = keep.map(function (n, j) { map[n] = j; var o = Object.assign({}, data.nodes[n]); o.d = dist[n]; return o; });
    var links = data.links.filter(function (l) { return l[0] in map && l[1] in map; })
      .map(function (l) { return [map[l[0]], map[l[1]], l[2]]; });
    return { nodes: nodes, links: links, center: map[idx] };
  }

  function layout(g, w, h) {
    var n = g.nodes.length, i, j;
    var deg = new Array(n).fill(0);
    g.links.forEach(function (l) { deg[l[0]]++; deg[l[1]]++; });
    g.nodes.forEach(function (o, k) {
      var a = k * 2.399963, r = 12 * Math.sqrt(k + 1);  // phyllotaxis start: deterministic, spread
      o.x = w / 2 + r * Math.cos(a); o.y = h / 2 + r * Math.sin(a); o.vx = 0; o.vy = 0; o.deg = deg[k];
    });
    if (g.center >= 0) { g.nodes[g.center].x = w / 2; g.nodes[g.center].y = h / 2; }
    var area = w * h, k2 = Math.min(area / Math.max(n, 1), 6400), kk = Math.min(Math.sqrt(k2) * 0.75, 60);
    var iters = n > 600 ? 120 : 220, step = 0, pad = n <= 40 ? Math.min(90, w / 4) : 0;
    return function tick() {
      if (step >= iters) return false;
      var t = 1 - step / iters;
      for (i = 0; i < n; i++) {  // repulsion
        var a = g.nodes[i];
        for (j = i + 1; j < n; j++) {
          var b = g.nodes[j], dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
          if (d2 > 9 * k2) continue;
          var f = k2 / d2 * 0.6;
          a.vx += dx * f / 10; a.vy += dy * f / 10; b.vx -= dx * f / 10; b.vy -= dy * f / 10;
        }
      }
      g.links.forEach(function (l) {  // springs
        var a = g.nodes[l[0]], b = g.nodes[l[1]], dx = b.x - a.x, dy = b.y - a.y;
        var d = Math.sqrt(dx * dx + dy * dy) + 0.01, f = (d - kk) / d * 0.08;
        a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
      });
      for (i = 0; i < n; i++) {
        var o = g.nodes[i];
        o.vx += (w / 2 - o.x) * 0.004; o.vy += (h / 2 - o.y) * 0.004;  // gravity
        var sp = Math.sqrt(o.vx * o.vx + o.vy * o.vy), max = 20 * t + 1;
        if (sp > max) { o.vx *= max / sp; o.vy *= max / sp; }
        if (i !== g.center) { o.x += o.vx; o.y += o.vy; }
        o.vx *= 0.6; o.vy *= 0.6;
        o.x = Math.max(8, Math.min(w - 8 - pad, o.x)); o.y = Math.max(8, Math.min(h - 8, o.y));
      }
      step++;
      return true;
    };
  }

  function colorOf(types, y) {
    if (!(y in types)) types[y] = COLORS[Object.keys(types).length % COLORS.length];
    return types[y];
  }

  function draw(ctx, g, w, h, hover, types, local) {
    var css = getComputedStyle(document.body);
    ctx.clearRect(0, 0, w, h);
    ctx.lineWidth = 0.7;
    ctx.strokeStyle = "rgba(120,120,140,0.45)";
    ctx.beginPath();
    g.links.forEach(function (l) {
      var a = g.nodes[l[0]], b = g.nodes[l[1]];
      ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y);
    });
    ctx.stroke();
    var fg = css.getPropertyValue("--md-default-fg-color") || "#333";
    ctx.font = "11px sans-serif";
    g.nodes.forEach(function (o, i) {
      var r = i === g.center ? 6 : Math.min(2.5 + Math.sqrt(o.deg), 8);
      ctx.fillStyle = colorOf(types, o.y);
      ctx.beginPath(); ctx.arc(o.x, o.y, r, 0, 6.2832); ctx.fill();
      if (i === g.center || i === hover) { ctx.strokeStyle = "#000"; ctx.lineWidth = 1.5; ctx.stroke(); ctx.lineWidth = 0.7; }
      if ((local && g.nodes.length <= 40) || i === hover || i === g.center || (!local && o.deg > 12)) {
        ctx.fillStyle = fg.trim() || "#333";
        ctx.fillText(o.t.length > 28 ? o.t.slice(0, 27) + "…" : o.t, o.x + r + 2, o.y + 3);
      }
    });
  }

  function mount(el) {
    var canvas = el.querySelector("canvas");
    var root = el.getAttribute("data-root") || "./";
    var local = el.getAttribute("data-kb-graph") === "local";
    var info = el.querySelector(".kb-graph-info");
    load(root).then(function (data) {
      var g = local ? subgraph(data, el.getAttribute("data-center"), +el.getAttribute("data-depth") || 1)
                    : { nodes: data.nodes.map(function (o) { return Object.assign({}, o); }), links: data.links, center: -1 };
      var dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || 300, h = canvas.clientHeight || 200;
      canvas.width = w * dpr; canvas.height = h * dpr;
      var ctx = canvas.getContext("2d");
      ctx.scale(dpr, dpr);
      var types = {}, hover = -1, tick = layout(g, w, h);
      el.setAttribute("data-nodes", g.nodes.length);
      el.setAttribute("data-links", g.links.length);
      if (local || g.nodes.length <= 200) { while (tick()) {} draw(ctx, g, w, h, hover, types, local); el.setAttribute("data-drawn", "1"); }
      else {
        (function frame() {
          var more = true;
          for (var s = 0; s < 4 && more; s++) more = tick();
          draw(ctx, g, w, h, hover, types, local);
          el.setAttribute("data-drawn", "1");
          if (more) requestAnimationFrame(frame);
        })();
      }
      function pick(ev) {
        var rect = canvas.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top, best = -1, bd = 100;
        g.nodes.forEach(function (o, i) { var d = (o.x - x) * (o.x - x) + (o.y - y) * (o.y - y); if (d < bd) { bd = d; best = i; } });
        return best;
      }
      canvas.addEventListener("mousemove", function (ev) {
        var p = pick(ev);
        if (p !== hover) { hover = p; draw(ctx, g, w, h, hover, types, local); canvas.style.cursor = p >= 0 ? "pointer" : "default";
          if (info) info.textContent = p >= 0 ? g.nodes[p].t + " (" + g.nodes[p].y + ")" : ""; }
      });
      canvas.addEventListener("click", function (ev) { var p = pick(ev); if (p >= 0) window.location.href = root + g.nodes[p].u; });
    }).catch(function (e) { el.setAttribute("data-error", String(e)); });
  }

  function init() { document.querySelectorAll("[data-kb-graph]").forEach(function (el) { if (!el.kbMounted) { el.kbMounted = 1; mount(el); } }); }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init); else document.addEventListener("DOMContentLoaded", init);
})();
