/* kb: typeset arithmatex (generic mode) output with the vendored KaTeX: `<span class="arithmatex">\(..\)</span>`
   inline, `<div class="arithmatex">\[..\]</div>` display. Loaded (deferred) only on pages that contain math. */
(function () {
  "use strict";
  function typeset(root) {
    if (typeof katex === "undefined") return;
    (root || document).querySelectorAll(".arithmatex:not([data-kb-math])").forEach(function (el) {
      var tex = el.textContent.trim(), display = el.tagName !== "SPAN";
      var m = /^\\\[([\s\S]*)\\\]$/.exec(tex) || /^\\\(([\s\S]*)\\\)$/.exec(tex);
      if (m) tex = m[1];
      el.setAttribute("data-kb-math", "1");
      try {
        katex.render(tex, el, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
      } catch (e) {
        el.setAttribute("data-kb-math", "error");
      }
    });
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { typeset(document.body); });  // Material, incl. instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  } else {
    typeset(document.body);
  }
})();
