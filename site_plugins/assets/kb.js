/* kb: site hooks. The search API base (<meta name="kb-api">, plugin option `api_url`) is read by
   kb-typeahead.js, which falls back to the same-origin `/api` and then to Material's own search. */
(function () {
  var meta = document.querySelector('meta[name="kb-api"]');
  window.kb = window.kb || {};
  window.kb.apiUrl = meta ? meta.getAttribute("content") : "";
})();
