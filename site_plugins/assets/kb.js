/* kb: site hooks. Typeahead: when <meta name="kb-api"> carries the search API URL, the widget
   (site_plugins/assets/kb-typeahead.js, later) binds to it; until then Material's search is used. */
(function () {
  var meta = document.querySelector('meta[name="kb-api"]');
  window.kb = window.kb || {};
  window.kb.apiUrl = meta ? meta.getAttribute("content") : "";
})();
