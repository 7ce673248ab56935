// Document page: font size (remembered in localStorage) and print. The page works without it.
(function () {
  "use strict";
  var KEY = "portal-font-size";
  var sizes = ["large", "medium", "small"];

  function apply(size) {
    if (sizes.indexOf(size) < 0) return;
    sizes.forEach(function (s) { document.body.classList.remove("fs-" + s); });
    document.body.classList.add("fs-" + size);
    document.querySelectorAll("[data-font-size]").forEach(function (link) {
      if (link.getAttribute("data-font-size") === size) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
  }

  var fromUrl = new URLSearchParams(window.location.search).get("fs");
  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { /* storage disabled */ }
  if (!fromUrl && saved) apply(saved);

  document.querySelectorAll("[data-font-size]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var size = link.getAttribute("data-font-size");
      apply(size);
      try { window.localStorage.setItem(KEY, size); } catch (e) { /* storage disabled */ }
    });
  });

  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
