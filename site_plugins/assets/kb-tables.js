/* kb: type and tag tables (site_plugins/tables.py). The HTML holds the first page of rows; sorting,
   filtering, paging and the column menu work over every row, the others fetched once from the page's
   JSON (data-src) when first needed. Rows are kept as objects; a <tr> is made only when shown. */
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var NUM = /^-?\d+(\.\d+)?$/;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  function cellText(cell, tags) {
    if (typeof cell === "string") return cell;
    return cell.map(function (p) { return p[0]; }).join(tags ? " " : ", ");
  }

  function cellNode(cell, tags, base) {
    var td = el("td");
    if (typeof cell === "string") { td.textContent = cell; return td; }
    cell.forEach(function (p, i) {
      if (i) td.appendChild(document.createTextNode(tags ? " " : ", "));
      var a = el("a", { href: base + p[1] }, p[0]);  // p[1] is a site URL; base climbs from this page to the root
      if (tags) a.className = "kb-tag";
      td.appendChild(a);
    });
    return td;
  }

  function setup(root) {
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    var table = root.querySelector("table"), tbody = table.tBodies[0];
    var ths = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var labels = ths.map(function (th) { return th.textContent; });
    var tagCol = labels.length - 3;  // columns end with Tags, Date, Modified (a field may also be called "Tags")
    var total = +root.getAttribute("data-total"), per = +root.getAttribute("data-page-rows") || 100;
    var rows = Array.prototype.slice.call(tbody.rows).map(function (tr, i) {
      return { el: tr, i: i, keys: Array.prototype.map.call(tr.cells, function (c) { return c.textContent; }) };
    });
    var loaded = rows.length >= total, loading = null, base = "";
    var state = { sort: -1, dir: 1, query: "", page: 0, off: {} };
    var storeKey = "kb-table-cols:" + labels.join("|");
    ths.forEach(function (th, i) { if (th.hasAttribute("data-off")) state.off[i] = true; });
    try {
      var saved = JSON.parse(localStorage.getItem(storeKey) || "null");
      if (saved) { state.off = {}; saved.forEach(function (i) { state.off[i] = true; }); }
    } catch (e) { /* private mode: defaults */ }

    var more = root.querySelector(".kb-tbl-more");
    if (more) more.remove();
    var style = root.querySelector("style") || root.insertBefore(el("style"), root.firstChild);
    var bar = el("div", { "class": "kb-tbl-bar" });
    var input = el("input", { type: "search", placeholder: "Filter " + total + " rows", "aria-label": "Filter rows" });
    var cols = el("details", { "class": "kb-tbl-cols" });
    var menu = el("div");
    cols.appendChild(el("summary", null, "Columns"));
    cols.appendChild(menu);
    var prev = el("button", { type: "button", "class": "kb-tbl-prev", "aria-label": "Previous page" }, "\u2039 Prev");
    var next = el("button", { type: "button", "class": "kb-tbl-next", "aria-label": "Next page" }, "Next \u203a");
    var status = el("span", { "class": "kb-tbl-status", "aria-live": "polite" });
    [input, cols, prev, next, status].forEach(function (x) { bar.appendChild(x); });
    root.insertBefore(bar, root.querySelector(".kb-tbl-scroll"));

    labels.forEach(function (label, i) {
      var box = el("input", { type: "checkbox", "data-col": String(i) });
      box.checked = !state.off[i];
      var lab = el("label");
      lab.appendChild(box);
      lab.appendChild(document.createTextNode(" " + label));
      menu.appendChild(lab);
      box.addEventListener("change", function () {
        if (box.checked) delete state.off[i]; else state.off[i] = true;
        try { localStorage.setItem(storeKey, JSON.stringify(Object.keys(state.off).map(Number))); } catch (e) { /* ignore */ }
        applyColumns();
        if (state.query) { state.page = 0; render(); }
      });
    });

    ths.forEach(function (th, i) {
      var b = el("button", { type: "button" }, th.textContent);
      th.textContent = "";
      th.appendChild(b);
      th.setAttribute("aria-sort", "none");
      b.addEventListener("click", function () {
        state.dir = state.sort === i ? -state.dir : 1;
        state.sort = i;
        state.page = 0;
        ths.forEach(function (h, j) {
          h.setAttribute("aria-sort", j !== i ? "none" : state.dir > 0 ? "ascending" : "descending");
        });
        withAll(render);
      });
    });

    var timer = null, renders = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.query = input.value.trim().toLowerCase(); state.page = 0; withAll(render); }, 120);
    });
    prev.addEventListener("click", function () { state.page--; render(); });
    next.addEventListener("click", function () { state.page++; withAll(render); });
    tbody.addEventListener("mouseover", function (ev) {  // the whole value of a cut-off cell, on hover
      var td = ev.target.closest && ev.target.closest("td");
      if (td && !td.title && td.scrollWidth > td.clientWidth) td.title = td.textContent;
    });

    function withAll(fn) {
      if (loaded) return fn();
      if (!loading) {
        status.textContent = "Loading rows\u2026";
        loading = fetch(root.getAttribute("data-src")).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        }).then(function (data) {
          base = data.base || "";
          data.rows.forEach(function (cells) {
            rows.push({ el: null, cells: cells, i: rows.length, keys: cells.map(function (c, j) { return cellText(c, j === tagCol); }) });
          });
          loaded = true;
        }).catch(function (err) {
          loaded = true;  // show what there is rather than nothing
          root.setAttribute("data-error", String(err));
        });
      }
      loading.then(fn);
    }

    function applyColumns() {
      style.textContent = Object.keys(state.off).map(function (i) {
        return "#kb-rows tr>:nth-child(" + (+i + 1) + ")";
      }).join(",") + (Object.keys(state.off).length ? "{display:none}" : "");
    }

    function numeric(i) {
      var any = false;
      for (var r = 0; r < rows.length; r++) {
        var k = rows[r].keys[i];
        if (k === "") continue;
        if (!NUM.test(k)) return false;
        any = true;
      }
      return any;
    }

    function view() {
      var list = rows;
      if (state.query) {
        var tokens = state.query.split(/\s+/);
        list = rows.filter(function (r) {
          var text = r.low;
          if (text === undefined || r.lowOff !== style.textContent) {
            text = r.low = r.keys.filter(function (_, i) { return !state.off[i]; }).join("\u0001").toLowerCase();
            r.lowOff = style.textContent;
          }
          return tokens.every(function (t) { return text.indexOf(t) >= 0; });
        });
      }
      if (state.sort >= 0) {
        var i = state.sort, dir = state.dir, num = numeric(i);
        list = list.slice().sort(function (a, b) {
          var x = a.keys[i], y = b.keys[i];
          if (x === "" || y === "") return x === y ? a.i - b.i : x === "" ? 1 : -1;  // empty cells last, both ways
          var c = num ? (+x) - (+y) : collator.compare(x, y);
          return c ? c * dir : a.i - b.i;
        });
      }
      return list;
    }

    function render() {
      var list = view();
      var pages = Math.max(1, Math.ceil(list.length / per));
      state.page = Math.max(0, Math.min(state.page, pages - 1));
      var start = state.page * per, slice = list.slice(start, start + per);
      var frag = document.createDocumentFragment();
      slice.forEach(function (r) {
        if (!r.el) {
          r.el = el("tr");
          r.cells.forEach(function (c, j) { r.el.appendChild(cellNode(c, j === tagCol, base)); });
        }
        frag.appendChild(r.el);
      });
      tbody.textContent = "";
      tbody.appendChild(frag);
      var of = loaded ? rows.length : total;
      status.textContent = (list.length ? (start + 1) + "\u2013" + (start + slice.length) : "0") + " of " +
        (state.query ? list.length + " matching (" + of + " rows)" : of) +
        (root.hasAttribute("data-error") ? " \u00b7 the other rows could not be loaded" : "");
      prev.disabled = state.page === 0;
      next.disabled = loaded ? state.page >= pages - 1 : start + per >= total;
      root.setAttribute("data-page", String(state.page + 1));
      root.setAttribute("data-shown", String(slice.length));
      root.setAttribute("data-renders", String(++renders));  // tests and bench/tables.py wait on it
    }

    applyColumns();
    render();
  }

  function init() {
    document.querySelectorAll("[data-kb-table]").forEach(setup);
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
