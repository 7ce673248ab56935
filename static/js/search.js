// Search page: on a wide screen the facets stand open beside the results; on a phone they stay
// folded behind their summary. Without JavaScript the summary opens them.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 900px)");
  function fit() {
    document.querySelectorAll("details.js-facets").forEach(function (details) {
      details.open = wide.matches;
    });
  }
  fit();
  if (wide.addEventListener) wide.addEventListener("change", fit);
})();
