// 依申请公开 in the admin: the reasons offered follow the chosen result; a print button.
(function () {
  "use strict";
  var result = document.getElementById("id_result");
  var reason = document.getElementById("id_reason");
  if (result && reason) {
    var sync = function () {
      Array.prototype.forEach.call(reason.querySelectorAll("option[data-result]"), function (option) {
        var mine = option.getAttribute("data-result") === result.value;
        option.hidden = !mine;
        option.disabled = !mine;
        if (!mine && option.selected) { reason.value = ""; }
      });
      Array.prototype.forEach.call(reason.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([disabled])");
      });
    };
    result.addEventListener("change", sync);
    sync();
  }
  Array.prototype.forEach.call(document.querySelectorAll(".js-print"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
