// Select2 (the admin's autocomplete) draws its own combobox and search field, which do not
// carry the label of the <select> they stand for: name them after that label, and again
// whenever select2 redraws them.
(function () {
  "use strict";

  function nameOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (!label) {
      return null;
    }
    if (!label.id) {
      label.id = select.id + "_label";
    }
    return label;
  }

  function nameWidgets() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = nameOf(select);
      var drawn = select.nextElementSibling;
      if (!label || !drawn || !drawn.classList.contains("select2")) {
        return;
      }
      drawn.querySelectorAll(".select2-selection").forEach(function (box) {
        var shown = box.querySelector(".select2-selection__rendered");
        var ids = label.id + (shown && shown.id ? " " + shown.id : "");
        if (box.getAttribute("aria-labelledby") !== ids) {
          box.setAttribute("aria-labelledby", ids);
        }
        // The chosen value's own box (role=textbox): the label, then the value.
        if (shown && shown.id && shown.getAttribute("aria-labelledby") !== ids) {
          shown.setAttribute("aria-labelledby", ids);
        }
      });
      drawn.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (field.getAttribute("aria-labelledby") !== label.id) {
          field.setAttribute("aria-labelledby", label.id);
        }
      });
    });
  }

  function start() {
    nameWidgets();
    new MutationObserver(nameWidgets).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
