/* kb: search-box typeahead over the kb API (/api/suggest), and the full-text results page (/api/search).

   The API base is <meta name="kb-api"> (plugin option `api_url`) or, when unset, the site root on the same
   origin (`kb serve` serves site + API on one port). `/api/health` is probed once at load; when it fails, or
   any later request fails or takes longer than 800 ms, Material's built-in search is left (or put back) in
   charge, unchanged. No dependencies, no build step. */
(function () {
  "use strict";
  var DEBOUNCE = 100, TIMEOUT = 800, LIMIT = 8, PAGE = 10;
  var kb = (window.kb = window.kb || {});

  function siteRoot() {
    var base = ".";
    var el = document.getElementById("__config");
    try { if (el) base = JSON.parse(el.textContent).base || "."; } catch (e) { /* keep "." */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }
  var root = siteRoot();
  var meta = document.querySelector('meta[name="kb-api"]');
  var apiBase = new URL(((meta && meta.getAttribute("content")) || root.href).replace(/\/?$/, "/"), location.href);
  if (/\/api\/$/.test(apiBase.pathname)) apiBase = new URL("../", apiBase);  // `api_url: https://host/api` works too

  function api(path, params) {
    var url = new URL("api/" + path, apiBase);
    Object.keys(params || {}).forEach(function (k) { url.searchParams.set(k, params[k]); });
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctl) ctl.abort(); }, TIMEOUT);
    return fetch(url.href, { signal: ctl ? ctl.signal : undefined, headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .finally(function () { clearTimeout(timer); });
  }
  function entryHref(url) { return new URL(String(url || "").replace(/^\//, ""), root).href; }
  function resultsHref(q, offset) {
    var u = new URL("search/", root);
    u.searchParams.set("query", q);
    if (offset) u.searchParams.set("offset", String(offset));
    return u.href;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  kb.apiBase = apiBase.href;
  kb.api = probe();

  function probe() {  // "no API here" is remembered for 5 minutes per tab: a static site is not asked on every page
    var key = "kb-api-none:" + apiBase.href, store = null;
    try { store = window.sessionStorage; } catch (e) { /* storage disabled */ }
    var seen = store && Number(store.getItem(key));
    if (seen && Date.now() - seen < 300000) return Promise.resolve(false);
    return api("health").then(function (h) { return !!(h && h.status); }, function () { return false; })
      .then(function (ok) {
        try { if (store) { if (ok) store.removeItem(key); else store.setItem(key, String(Date.now())); } } catch (e) { /* full */ }
        return ok;
      });
  }

  /* -- typeahead in Material's header search box ---------------------------------------------------- */
  var input = document.querySelector("input.md-search__input");
  var wrap = document.querySelector(".md-search__scrollwrap");
  if (input && wrap) typeahead(input, wrap);

  function typeahead(input, wrap) {
    var list = el("div", "kb-ta");
    list.id = "kb-ta-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    wrap.insertBefore(list, wrap.firstChild);
    var on = false, seq = 0, shown = "", active = -1, timer = 0, pending = null;

    function enable() {
      on = true;
      document.documentElement.classList.add("kb-ta-on");
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-controls", list.id);
      input.setAttribute("aria-expanded", "false");
      if (input.value.trim()) pending = query(input.value);
    }
    function disable() {  // Material's own results (computed all along) show again
      on = false;
      clearTimeout(timer);
      document.documentElement.classList.remove("kb-ta-on");
      ["role", "aria-autocomplete", "aria-controls", "aria-expanded", "aria-activedescendant"]
        .forEach(function (a) { input.removeAttribute(a); });
      list.textContent = "";
      kb.typeahead = "material";
    }
    function options() { return list.querySelectorAll('[role="option"]'); }
    function setActive(i) {
      var opts = options();
      if (!opts.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = (i + opts.length) % opts.length;
      opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }
    function option(href, cls) {
      var a = el("a", "kb-ta-row " + cls);
      a.id = "kb-ta-" + options().length;
      a.href = href;
      a.tabIndex = -1;
      a.setAttribute("role", "option");
      a.setAttribute("aria-selected", "false");
      a.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep focus in the box
      list.appendChild(a);
      return a;
    }
    function render(q, hits) {
      list.textContent = "";
      shown = q;
      list.setAttribute("data-query", q);  // which query the list answers (keystrokes may still be in flight)
      if (!q) { input.setAttribute("aria-expanded", "false"); setActive(-1); return; }
      hits.forEach(function (h) {
        var a = option(entryHref(h.url), "kb-ta-hit");
        a.appendChild(el("span", "kb-ta-title", h.title));
        if (h.matched === "alias" && h.alias) a.appendChild(el("span", "kb-ta-alias", h.alias));
        if (h.matched === "tag" && h.tag) a.appendChild(el("span", "kb-ta-alias", "#" + h.tag));
        a.appendChild(el("span", "kb-ta-type", h.type || "note"));
      });
      var all = option(resultsHref(q), "kb-ta-all");
      all.appendChild(el("span", "kb-ta-title", "Search all for \u201c" + q + "\u201d"));
      input.setAttribute("aria-expanded", "true");
      setActive(0);
    }
    function query(raw) {
      var q = raw.trim(), n = ++seq;
      if (!q) { render("", []); return Promise.resolve(); }
      return api("suggest", { q: q, limit: LIMIT }).then(function (data) {
        if (n === seq && on) render(q, (data && data.hits) || []);
      }, function () { if (n === seq) disable(); });
    }

    input.addEventListener("input", function () {
      if (!on) return;
      clearTimeout(timer);
      timer = setTimeout(function () { pending = query(input.value); }, DEBOUNCE);
    });
    input.addEventListener("focus", function () {
      if (on && input.value.trim() && input.value.trim() !== shown) pending = query(input.value);
    });
    input.addEventListener("keydown", function (e) {
      if (!on) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        e.stopPropagation();  // Material's keyboard handler sits on window: it must not move focus
        setActive(active + (e.key === "ArrowDown" ? 1 : -1));
      } else if (e.key === "Enter") {
        e.preventDefault();
        e.stopPropagation();
        var q = input.value.trim();
        if (!q) return;
        var go = function () {
          if (!on) return;  // API went away: Material's search is showing its results
          var opts = options();
          if (opts.length && active >= 0) location.href = opts[active].href;
        };
        if (q !== shown) { clearTimeout(timer); pending = query(q); }
        (pending || Promise.resolve()).then(go);
      } else if (e.key === "ArrowRight") {
        e.stopPropagation();  // Material would paste its (hidden) suggestion into the box
      } else if (e.key === "Escape") {
        clearTimeout(timer);
        seq++;  // an answer still on its way must not reopen the list
        render("", []);  // and let Material close the search dialog
      }
    });
    kb.api.then(function (ok) { if (ok) { enable(); kb.typeahead = "api"; } else disable(); });
  }

  /* -- full-text results page (/search/?query=) -------------------------------------------------------- */
  var results = document.querySelector("[data-kb-results]");
  if (results) resultsPage(results);

  function snippet(html) {  // the API escapes snippets except <mark>: keep text and <mark>, nothing else
    var doc = new DOMParser().parseFromString("<body>" + (html || "") + "</body>", "text/html");
    var out = document.createDocumentFragment();
    (function walk(node, into) {
      node.childNodes.forEach(function (c) {
        if (c.nodeType === 3) into.appendChild(document.createTextNode(c.nodeValue));
        else if (c.nodeType === 1 && c.nodeName === "MARK") walk(c, into.appendChild(document.createElement("mark")));
        else if (c.nodeType === 1) walk(c, into);
      });
    })(doc.body, out);
    return out;
  }
  function resultsPage(box) {
    var params = new URL(location.href).searchParams;
    var q = (params.get("query") || "").trim(), offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    var form = box.querySelector("form"), field = form && form.querySelector("input");
    if (field) field.value = q;
    var status = box.querySelector(".kb-results-status"), out = box.querySelector(".kb-results-list");
    if (!q) { status.textContent = "Type a query."; return; }
    document.title = "\u201c" + q + "\u201d \u2013 " + document.title;
    status.textContent = "Searching\u2026";
    kb.api.then(function (ok) {
      if (!ok) throw new Error("no API");
      return api("search", { q: q, limit: PAGE, offset: offset });
    }).then(function (data) {
      var hits = data.hits || [], total = data.total || 0;
      status.textContent = total ? (total + " result" + (total === 1 ? "" : "s") + " for \u201c" + q + "\u201d" +
        (total > PAGE ? " \u00b7 " + (offset + 1) + "\u2013" + (offset + hits.length) : "")) : "No results for \u201c" + q + "\u201d.";
      hits.forEach(function (h) {
        var li = el("li", "kb-result"), a = el("a", "kb-result-title", h.title);
        a.href = entryHref(h.url);
        li.appendChild(a);
        li.appendChild(el("span", "kb-dim", " " + (h.type || "note")));
        var p = el("p", "kb-result-snippet");
        p.appendChild(snippet(h.snippet));
        li.appendChild(p);
        out.appendChild(li);
      });
      var nav = el("nav", "kb-results-pages");
      nav.setAttribute("aria-label", "Result pages");
      if (offset > 0) { var prev = el("a", "kb-prev", "\u2190 Previous"); prev.href = resultsHref(q, Math.max(0, offset - PAGE)); nav.appendChild(prev); }
      if (offset + hits.length < total) { var next = el("a", "kb-next", "Next \u2192"); next.href = resultsHref(q, offset + PAGE); nav.appendChild(next); }
      if (nav.childNodes.length) box.appendChild(nav);
    }).catch(function () {
      status.textContent = "Full-text search needs the kb API, which is not reachable here: showing the site's built-in search.";
      if (input) { input.value = q; input.focus(); }  // Material opens its search with the query
    });
  }
})();
