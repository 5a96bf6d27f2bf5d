/* kb chrome: explorer tree (explorer.json), link previews (kb-preview.json beside each entry page), panels in
   the right column when it is shown, breadcrumb folders, reader mode. Options: <meta name="kb-chrome">.
   Titles and names are data: always inserted with textContent. */
(function () {
  "use strict";
  var opts = {};
  try { opts = JSON.parse(document.querySelector('meta[name="kb-chrome"]').getAttribute("content")); } catch (e) { opts = {}; }
  var base = ".";
  try { base = JSON.parse(document.getElementById("__config").textContent).base || "."; } catch (e) { base = "."; }
  var root = new URL(base.replace(/\/?$/, "/"), location.href);
  var here = location.pathname;
  window.kb = window.kb || {};
  window.kb.chrome = { reveal: reveal };

  function el(tag, klass, text) {
    var e = document.createElement(tag);
    if (klass) e.className = klass;
    if (text != null) e.textContent = text;
    return e;
  }

  /* -- explorer -------------------------------------------------------------------------------------------- */
  var treeP = null;
  function loadTree() {
    if (!treeP) treeP = fetch(new URL("explorer.json", root)).then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
    return treeP;
  }
  /* site-relative, decoded: explorer.json holds URLs as text ("notes/café/"); no URL object per entry */
  function rel(pathname) {
    var p = pathname.indexOf(root.pathname) === 0 ? pathname.slice(root.pathname.length) : pathname;
    try { return decodeURIComponent(p); } catch (e) { return p; }
  }
  var hereRel = rel(here);

  /* folder path ("a/b") of the current page, and whether a document row holds it */
  function locate(node, prefix, out) {
    for (var i = 0; i < node.e.length; i++) {
      var e = node.e[i];
      if (e[1] === hereRel) { out.folder = prefix; out.doc = null; return true; }
      if (e[2]) for (var j = 0; j < e[2].length; j++) if (e[2][j][1] === hereRel) {
        out.folder = prefix; out.doc = e[1]; return true;
      }
    }
    for (var k = 0; k < node.d.length; k++) {
      if (locate(node.d[k], prefix ? prefix + "/" + node.d[k].n : node.d[k].n, out)) return true;
    }
    return false;
  }

  function entryItem(e, at) {
    var li = el("li", "kb-tree-entry");
    var a = el("a", null, e[0]);
    a.href = new URL(e[1], root).href;
    if (e[1] === hereRel) { a.className = "kb-current"; a.setAttribute("aria-current", "page"); }
    li.appendChild(a);
    if (e[2] && e[2].length) {
      var open = at.doc === e[1] || e[1] === hereRel;
      var ol = el("ol", "kb-tree-chapters");
      for (var i = 0; i < e[2].length; i++) ol.appendChild(entryItem(e[2][i], at));
      ol.hidden = !open;
      var b = toggle(e[0], open, function (isOpen) { ol.hidden = !isOpen; });
      li.insertBefore(b, a);
      li.appendChild(ol);
      li.classList.add("kb-tree-doc");
    }
    return li;
  }

  function toggle(name, open, onChange) {
    var b = el("button", "kb-tree-toggle");
    b.type = "button";
    b.setAttribute("aria-expanded", open ? "true" : "false");
    b.setAttribute("aria-label", (open ? "Collapse " : "Expand ") + name);
    b.addEventListener("click", function () {
      var isOpen = b.getAttribute("aria-expanded") !== "true";
      b.setAttribute("aria-expanded", isOpen ? "true" : "false");
      b.setAttribute("aria-label", (isOpen ? "Collapse " : "Expand ") + name);
      onChange(isOpen);
    });
    return b;
  }

  /* children are built on first expand: a 10,000-entry tree costs only its open folders */
  function folderItem(node, path, at) {
    var li = el("li", "kb-tree-folder");
    li.setAttribute("data-folder", path);
    var open = at.folder === path || at.folder.indexOf(path + "/") === 0;
    var label = el("span", "kb-folder-name", node.n);
    var count = el("span", "kb-count", String(node.c));
    var ul = null;
    var b = toggle(node.n, open, function (isOpen) {
      if (isOpen && !ul) { ul = list(node, path, at); li.appendChild(ul); }
      if (ul) ul.hidden = !isOpen;
    });
    label.addEventListener("click", function () { b.click(); });
    li.appendChild(b); li.appendChild(label); li.appendChild(document.createTextNode(" ")); li.appendChild(count);
    if (open) { ul = list(node, path, at); li.appendChild(ul); }
    return li;
  }

  function list(node, prefix, at) {
    var ul = el("ul", "kb-tree");
    for (var i = 0; i < node.d.length; i++) {
      ul.appendChild(folderItem(node.d[i], prefix ? prefix + "/" + node.d[i].n : node.d[i].n, at));
    }
    entries(ul, node, at, false);
    return ul;
  }

  /* a folder of thousands of entries shows WINDOW rows around the current one, and a button for the rest */
  var WINDOW = 200;
  function entries(ul, node, at, all) {
    var e = node.e, from = 0, to = e.length;
    if (!all && e.length > WINDOW) {
      var i = 0;
      for (var k = 0; k < e.length; k++) if (e[k][1] === hereRel || e[k][1] === at.doc) { i = k; break; }
      from = Math.max(0, Math.min(i - WINDOW / 2, e.length - WINDOW));
      to = from + WINDOW;
    }
    for (var j = from; j < to; j++) ul.appendChild(entryItem(e[j], at));
    if (to - from < e.length) {
      var li = el("li", "kb-tree-more"), b = el("button", "kb-tree-all", "Show all " + e.length);
      b.type = "button";
      b.addEventListener("click", function () {
        var kept = ul.querySelectorAll(":scope > .kb-tree-entry, :scope > .kb-tree-more");
        for (var n = 0; n < kept.length; n++) ul.removeChild(kept[n]);
        entries(ul, node, at, true);
      });
      li.appendChild(b);
      ul.appendChild(li);
    }
  }

  function renderExplorer(host, tree, title) {
    var at = { folder: "", doc: null };
    locate(tree, "", at);
    host.textContent = "";
    if (title) {
      var h = el("div", "kb-panel-title", title + " ");
      h.appendChild(el("span", "kb-count", String(tree.c)));
      host.appendChild(h);
    }
    host.appendChild(list(tree, "", at));
    host.setAttribute("data-ready", "1");
    window.kb.chrome.explorerMs = Math.round(performance.now());  /* when the tree was drawn (bench, tests) */
    var cur = host.querySelector(".kb-current");
    if (cur && host.closest(".md-sidebar") && cur.scrollIntoView) cur.scrollIntoView({ block: "nearest" });
  }

  /* open the explorer at `path` (breadcrumb folders) */
  function reveal(path) {
    var host = document.querySelector(".kb-explorer-side");
    if (!host) return;
    var parts = path.split("/"), acc = "";
    for (var i = 0; i < parts.length; i++) {
      acc = acc ? acc + "/" + parts[i] : parts[i];
      var li = host.querySelector('li[data-folder="' + (window.CSS && CSS.escape ? CSS.escape(acc) : acc) + '"]');
      if (!li) return;
      var b = li.querySelector(":scope > .kb-tree-toggle");
      if (b && b.getAttribute("aria-expanded") !== "true") b.click();
      if (i === parts.length - 1) {
        var drawer = document.getElementById("__drawer");
        if (drawer && !matchMedia("(min-width: 76.25em)").matches) {
          drawer.checked = true;  /* and back to the drawer's top level, where the explorer is */
          var open = document.querySelectorAll(".md-nav--primary .md-nav__toggle:checked");
          for (var k = 0; k < open.length; k++) open[k].checked = false;
        }
        li.classList.add("kb-flash");
        li.scrollIntoView({ block: "center" });
        (li.querySelector(":scope > .kb-tree-toggle") || li).focus();
      }
    }
  }

  function explorer() {
    if (!opts.explorer) return;
    var home = document.querySelector("[data-kb-explorer=home]");
    /* the last item of Material's top-level nav list: below the nav on a desktop, scrolled with it in a phone's drawer */
    var side = document.querySelector(".md-sidebar--primary .md-nav--primary > .md-nav__list");
    var host = null;
    if (side && !document.querySelector(".kb-explorer-side")) {
      var item = el("li", "md-nav__item kb-explorer-item");
      host = el("nav", "kb-explorer kb-explorer-side");
      host.setAttribute("aria-label", "Explorer");
      item.appendChild(host);
      side.appendChild(item);
    }
    if (!home && !host) return;
    loadTree().then(function (tree) {
      if (!tree) return;
      if (host) renderExplorer(host, tree, "Explorer");
      if (home) renderExplorer(home, tree, null);
    });
    var crumbs = document.querySelectorAll(".kb-crumbs .kb-crumb-folder");
    for (var i = 0; i < crumbs.length; i++) {
      var span = crumbs[i], b = el("button", "kb-crumb-folder", span.textContent);
      b.type = "button";
      b.setAttribute("data-folder", span.getAttribute("data-folder"));
      b.title = "Show this folder in the explorer";
      b.addEventListener("click", function (ev) {
        var path = ev.currentTarget.getAttribute("data-folder");
        loadTree().then(function () { setTimeout(function () { reveal(path); }, 0); });
      });
      span.parentNode.replaceChild(b, span);
    }
  }

  /* -- right column ---------------------------------------------------------------------------------------- */
  var PANELS = { metadata: ".kb-meta", backlinks: ".kb-backlinks", graph: ".kb-graph-local" };
  function rightColumn() {
    var wanted = opts.right || [];
    var side = document.querySelector(".md-sidebar--secondary:not([hidden]) .md-sidebar__inner");
    if (!wanted.length || !side || side.querySelector(".kb-right")) return;
    var moved = [];
    for (var i = 0; i < wanted.length; i++) {
      var node = PANELS[wanted[i]] && document.querySelector(".md-content " + PANELS[wanted[i]]);
      if (node) moved.push({ node: node, mark: document.createComment("kb-right") });
    }
    if (!moved.length) return;
    var box = el("div", "kb-right");
    side.appendChild(box);
    var mq = matchMedia("(min-width: 76.25em)");  /* Material shows the right column from here */
    function place() {
      for (var j = 0; j < moved.length; j++) {
        var m = moved[j];
        if (mq.matches && m.node.parentNode !== box) {
          m.node.parentNode.insertBefore(m.mark, m.node);
          box.appendChild(m.node);
        } else if (!mq.matches && m.mark.parentNode) {
          m.mark.parentNode.replaceChild(m.node, m.mark);
        }
      }
      document.documentElement.classList.toggle("kb-has-right", mq.matches);
    }
    place();
    if (mq.addEventListener) mq.addEventListener("change", place);
  }

  /* -- link previews --------------------------------------------------------------------------------------- */
  var cache = {};
  var entryPaths = null;  /* pathname -> true for every entry page, once explorer.json is in */
  function indexEntries(tree) {
    if (!tree) return;
    var out = {};
    (function walk(node) {
      for (var i = 0; i < node.e.length; i++) {
        out[node.e[i][1]] = true;
        var chs = node.e[i][2] || [];
        for (var j = 0; j < chs.length; j++) out[chs[j][1]] = true;
      }
      for (var k = 0; k < node.d.length; k++) walk(node.d[k]);
    })(tree);
    entryPaths = out;
  }
  var pop = null, showT = 0, hideT = 0, current = null;
  function previewUrl(a) {
    var u;
    try { u = new URL(a.getAttribute("href"), location.href); } catch (e) { return null; }
    if (u.origin !== location.origin || !/\/$/.test(u.pathname) || u.pathname === here) return null;
    if (u.pathname.indexOf(root.pathname) !== 0) return null;
    if (entryPaths && !entryPaths[rel(u.pathname)]) return null;  /* tag, type, graph pages have no preview: no 404 */
    return new URL("kb-preview.json", u).href;
  }
  function fetchPreview(url) {
    if (!(url in cache)) cache[url] = fetch(url).then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
    return cache[url];
  }
  function hide() { if (pop) { pop.hidden = true; current = null; } }
  function show(a, url, data) {
    if (!data || current !== a) return;
    if (!pop) {
      pop = el("div", "kb-popover");
      pop.setAttribute("role", "tooltip");
      pop.id = "kb-popover";
      pop.addEventListener("mouseenter", function () { clearTimeout(hideT); });
      pop.addEventListener("mouseleave", function () { hideT = setTimeout(hide, 200); });
      document.body.appendChild(pop);
    }
    pop.textContent = "";
    var head = el("div", "kb-popover-head");
    head.appendChild(el("span", "kb-popover-title", data.t));
    head.appendChild(el("span", "kb-type", data.y));
    var body = el("div", "kb-popover-body md-typeset");
    body.innerHTML = data.h || "";  /* the target page's own rendered HTML (public, built by kb) */
    var refs = body.querySelectorAll("[href], [src]");
    for (var i = 0; i < refs.length; i++) {  /* its relative links are relative to the target page */
      var attr = refs[i].hasAttribute("href") ? "href" : "src";
      try { refs[i].setAttribute(attr, new URL(refs[i].getAttribute(attr), url).href); } catch (e) { /* keep */ }
    }
    pop.appendChild(head); pop.appendChild(body);
    pop.hidden = false;
    a.setAttribute("aria-describedby", "kb-popover");
    var r = a.getBoundingClientRect(), w = Math.min(400, window.innerWidth - 16);
    pop.style.width = w + "px";
    pop.style.left = Math.max(8, Math.min(r.left, window.innerWidth - w - 8)) + "px";
    var below = r.bottom + 6, h = pop.offsetHeight;
    pop.style.top = (below + h > window.innerHeight && r.top - h - 6 > 0 ? r.top - h - 6 : below) + "px";
  }
  function previews() {
    if (!opts.previews || document.documentElement.hasAttribute("data-kb-previews")) return;
    document.documentElement.setAttribute("data-kb-previews", "1");
    if (opts.explorer) loadTree().then(indexEntries);
    function enter(ev) {
      var a = ev.target.closest && ev.target.closest(".md-content a[href]");
      if (!a || a.closest(".kb-popover") || a === current) return;
      var url = previewUrl(a);
      if (!url) return;
      clearTimeout(hideT); clearTimeout(showT);
      current = a;
      showT = setTimeout(function () { fetchPreview(url).then(function (d) { show(a, url, d); }); }, 250);
    }
    function leave(ev) {
      var a = ev.target.closest && ev.target.closest(".md-content a[href]");
      if (!a || a !== current) return;
      clearTimeout(showT);
      hideT = setTimeout(hide, 200);
    }
    document.addEventListener("mouseover", enter);
    document.addEventListener("mouseout", leave);
    document.addEventListener("focusin", enter);
    document.addEventListener("focusout", leave);
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") hide(); });
  }

  /* -- reader mode ----------------------------------------------------------------------------------------- */
  var BOOK = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true"><path d="M21 5c-1.1-.35-2.3-.5-3.5-.5-1.95 0-4.05.4-5.5 1.5-1.45-1.1-3.55-1.5-5.5-1.5S2.45 4.9 1 6v14.65c0 .25.25.5.5.5.1 0 .15-.05.25-.05C3.1 20.45 5.05 20 6.5 20c1.95 0 4.05.4 5.5 1.5 1.35-.85 3.8-1.5 5.5-1.5 1.65 0 3.35.3 4.75 1.05.1.05.15.05.25.05.25 0 .5-.25.5-.5V6c-.6-.45-1.25-.75-2-1m0 13.5c-1.1-.35-2.3-.5-3.5-.5-1.7 0-4.15.65-5.5 1.5V8c1.35-.85 3.8-1.5 5.5-1.5 1.2 0 2.4.15 3.5.5z"/></svg>';
  function reader() {
    if (!opts.reader) return;
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".kb-reader-toggle")) return;
    var b = el("button", "md-header__button md-icon kb-reader-toggle");
    b.type = "button";
    b.innerHTML = BOOK;
    b.setAttribute("aria-label", "Reader mode");
    b.title = "Reader mode: hide the sidebars";
    var on = document.documentElement.classList.contains("kb-reader");
    b.setAttribute("aria-pressed", on ? "true" : "false");
    b.addEventListener("click", function () {
      var now = !document.documentElement.classList.contains("kb-reader");
      document.documentElement.classList.toggle("kb-reader", now);
      b.setAttribute("aria-pressed", now ? "true" : "false");
      try { localStorage.setItem("kb.reader", now ? "1" : "0"); } catch (e) { /* private mode: not remembered */ }
    });
    var search = header.querySelector(".md-search") || header.querySelector("[for=__search]");
    header.insertBefore(b, search || null);
  }

  /* Material's search overlay is a dialog without a name; screen readers announce it as "Search" */
  function labels() {
    var dialog = document.querySelector('.md-search[role="dialog"]:not([aria-label])');
    if (dialog) dialog.setAttribute("aria-label", "Search");
  }

  function init() { labels(); reader(); explorer(); rightColumn(); previews(); }
  init();  /* now, before kb-graph.js draws: panels move first, then the graph sizes to where it is */
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(function () { here = location.pathname; hereRel = rel(here); init(); });  /* instant navigation */
  }
})();
