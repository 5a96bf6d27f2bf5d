/* kb: search-box typeahead over the kb API (/api/suggest), and the full-text results page (/api/search).

   The API base is <meta name="kb-api"> (plugin option `api_url`) or, when unset, the site root on the same
   origin (`kb serve` serves site + API on one port). `/api/health` is probed once at load; when it fails (a
   static host), the typeahead matches titles, aliases and tags from the build's `typeahead.json` in the browser,
   typos included; without that file, or when a later API request fails or takes longer than 800 ms, Material's
   built-in search is left (or put back) in charge, unchanged. No dependencies, no build step. */
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
  function resultsHref(q, offset, filters) {
    var u = new URL("search/", root);
    u.searchParams.set("query", q);
    if (offset) u.searchParams.set("offset", String(offset));
    Object.keys(filters || {}).forEach(function (k) { if (filters[k]) u.searchParams.set(k, filters[k]); });
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

  /* -- static typeahead: names from typeahead.json, matched here (the API's tiers, in small) ------------ */
  var CJK = "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f";
  var WORD = new RegExp("[" + CJK + "]|(?:(?![" + CJK + "])[\\p{L}\\p{N}])+", "gu");
  var HAS_CJK = new RegExp("[" + CJK + "]");
  function fold(t) { return String(t || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function words(t) { return fold(t).match(WORD) || []; }
  function budget(w) { return HAS_CJK.test(w) ? 0 : w.length >= 9 ? 2 : w.length >= 5 ? 1 : 0; }  // Meilisearch's
  function osa(a, b, max) {  // optimal string alignment distance, max + 1 when over `max`
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = [], prev = [], cur = [], i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }
  function StaticNames(data) {
    var types = data.types || [], names = [];
    this.entries = (data.entries || []).map(function (row, e) {
      var add = function (kind, text) { var w = words(text); if (w.length) names.push({ e: e, kind: kind, text: text, key: w.join(" "), words: w }); };
      add(0, row[0]);
      (row[4] || []).forEach(function (a) { add(1, a); });
      (row[5] || []).forEach(function (t) { add(2, t); });
      return { title: row[0], url: row[1], type: types[row[2]] || "note", pop: row[3] || 0 };
    });
    this.names = names;
  }
  StaticNames.prototype.match = function (n, toks, qk, typos) {  // a rank (higher is better) or -1
    if (!typos) {
      if (n.kind !== 2 && n.key.lastIndexOf(qk, 0) === 0) return 4000 - (n.key === qk ? 0 : 1);
      if (n.kind === 2) return n.key.lastIndexOf(qk, 0) === 0 ? 2000 : -1;
      var all = toks.every(function (t, i) {
        return n.words.some(function (w) { return w === t || (i === toks.length - 1 && w.lastIndexOf(t, 0) === 0); });
      });
      return all ? 3000 : -1;
    }
    if (n.kind === 2) return -1;
    var edits = 0;
    for (var i = 0; i < toks.length; i++) {
      var t = toks[i], max = budget(t), best = max + 1;
      for (var j = 0; j < n.words.length && best; j++) {
        var w = n.words[j];
        best = Math.min(best, osa(t, w, max) + (t[0] !== w[0] ? 1 : 0));  // a wrong first letter costs one more
        if (i === toks.length - 1 && w.length > t.length) best = Math.min(best, osa(t, w.slice(0, t.length), max) + 0.5);
      }
      if (best > max) return -1;
      edits += best;
    }
    return 1000 - 100 * edits;
  };
  StaticNames.prototype.suggest = function (q, limit) {
    var toks = words(q).slice(0, 12);
    if (!toks.length) return [];
    var qk = toks.join(" "), best = {}, self = this, found = 0;
    [false, true].forEach(function (typos) {
      if (typos && found >= limit) return;
      self.names.forEach(function (n) {
        if (best[n.e] && best[n.e].r >= 1000) return;  // an exact tier already holds this entry
        var r = self.match(n, toks, qk, typos);
        if (r < 0) return;
        var cur = best[n.e];
        if (!cur) found++;
        if (!cur || r > cur.r || (r === cur.r && n.kind < cur.n.kind)) best[n.e] = { r: r, n: n };
      });
    });
    var entries = this.entries;
    return Object.keys(best).map(function (e) { return best[e]; }).sort(function (a, b) {
      var x = entries[a.n.e], y = entries[b.n.e];
      return b.r - a.r || a.n.kind - b.n.kind || y.pop - x.pop || a.n.text.length - b.n.text.length ||
        (x.title < y.title ? -1 : x.title > y.title ? 1 : 0);
    }).slice(0, limit).map(function (h) {
      var en = entries[h.n.e], hit = { title: en.title, url: en.url, type: en.type, matched: ["title", "alias", "tag"][h.n.kind] };
      if (h.n.kind === 1) hit.alias = h.n.text;
      if (h.n.kind === 2) hit.tag = h.n.text;
      return hit;
    });
  };
  kb.StaticNames = StaticNames;
  function staticNames() {  // the build's name index, or null (not a kb build, or not reachable)
    return fetch(new URL("typeahead.json", root).href, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) { return new StaticNames(data); }, function () { return null; });
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
    var on = false, seq = 0, shown = "", active = -1, timer = 0, pending = null, local = null;

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
      var answer = local ? Promise.resolve({ hits: local.suggest(q, LIMIT) }) : api("suggest", { q: q, limit: LIMIT });
      return answer.then(function (data) {
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
    kb.api.then(function (ok) {
      if (ok) { enable(); kb.typeahead = "api"; return; }
      // the results page hands its query to Material's full-text search: its list must stay visible there
      if (document.querySelector("[data-kb-results]")) { disable(); return; }
      return staticNames().then(function (names) {
        if (!names) { disable(); return; }
        local = names;
        enable();
        kb.typeahead = "static";
      });
    });
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
  function facets(box, q, filters, found) {  // type and tag choices with their hit counts; a chosen one unchooses
    var wrap = el("div", "kb-facets");
    wrap.setAttribute("aria-label", "Filter results");
    [["type", "Type"], ["tag", "Tag"]].forEach(function (f) {
      var values = found[f[0]] || [];
      if (!values.length && !filters[f[0]]) return;
      var group = el("div", "kb-facet");
      group.setAttribute("data-facet", f[0]);
      group.appendChild(el("span", "kb-facet-name", f[1]));
      values.forEach(function (v) {
        var on = filters[f[0]] && filters[f[0]].toLowerCase() === String(v.value).toLowerCase();
        var next = {};
        next.type = filters.type; next.tag = filters.tag;
        next[f[0]] = on ? "" : v.value;
        var a = el("a", "kb-facet-value" + (on ? " kb-facet-on" : ""));
        a.href = resultsHref(q, 0, next);
        a.setAttribute("data-value", v.value);
        if (on) a.setAttribute("aria-current", "true");
        a.appendChild(el("span", null, (f[0] === "tag" ? "#" : "") + v.value));
        a.appendChild(el("span", "kb-count", String(v.count)));
        group.appendChild(a);
      });
      wrap.appendChild(group);
    });
    if (wrap.childNodes.length) box.insertBefore(wrap, box.querySelector(".kb-results-list"));
  }
  function resultsPage(box) {
    var params = new URL(location.href).searchParams;
    var q = (params.get("query") || "").trim(), offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    var filters = { type: params.get("type") || "", tag: params.get("tag") || "" };
    var form = box.querySelector("form"), field = form && form.querySelector("input");
    if (field) field.value = q;
    var status = box.querySelector(".kb-results-status"), out = box.querySelector(".kb-results-list");
    if (!q) { status.textContent = "Type a query."; return; }
    document.title = "\u201c" + q + "\u201d \u2013 " + document.title;
    status.textContent = "Searching\u2026";
    kb.api.then(function (ok) {
      if (!ok) throw new Error("no API");
      var params = { q: q, limit: PAGE, offset: offset };
      if (filters.type) params.type = filters.type;
      if (filters.tag) params.tag = filters.tag;
      return api("search", params);
    }).then(function (data) {
      var hits = data.hits || [], total = data.total || 0;
      status.textContent = total ? (total + " result" + (total === 1 ? "" : "s") + " for \u201c" + q + "\u201d" +
        (data.fuzzy ? " (typos corrected)" : "") +
        (total > PAGE ? " \u00b7 " + (offset + 1) + "\u2013" + (offset + hits.length) : "")) : "No results for \u201c" + q + "\u201d.";
      facets(box, q, filters, data.facets || {});
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
      if (offset > 0) { var prev = el("a", "kb-prev", "\u2190 Previous"); prev.href = resultsHref(q, Math.max(0, offset - PAGE), filters); nav.appendChild(prev); }
      if (offset + hits.length < total) { var next = el("a", "kb-next", "Next \u2192"); next.href = resultsHref(q, offset + PAGE, filters); nav.appendChild(next); }
      if (nav.childNodes.length) box.appendChild(nav);
    }).catch(function () {
      status.textContent = "Full-text search needs the kb API, which is not reachable here: showing the site's built-in search.";
      if (input) { input.value = q; input.focus(); }  // Material opens its search with the query
    });
  }
})();
