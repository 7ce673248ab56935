// The application form: only the fieldset of the chosen applicant type is shown. Without this
// script both show, each with its legend, and the server reads only the relevant one.
(function () {
  "use strict";
  var radios = document.querySelectorAll("input[name=applicant_type]");
  var person = document.getElementById("fs-person");
  var organisation = document.getElementById("fs-org");
  if (!radios.length || !person || !organisation) return;

  function chosen() {
    for (var i = 0; i < radios.length; i++) {
      if (radios[i].checked) return radios[i].value;
    }
    return "person";
  }

  function update() {
    var isPerson = chosen() === "person";
    person.hidden = !isPerson;
    organisation.hidden = isPerson;
  }

  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
