/* The rich-text editor's uploads carry the admin form's CSRF token, as every admin POST does. */
(function () {
  "use strict";
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function attach() {
    if (!window.CKEDITOR) {
      window.setTimeout(attach, 50);
      return;
    }
    window.CKEDITOR.on("instanceCreated", function (event) {
      event.editor.on("fileUploadRequest", function (upload) {
        upload.data.fileLoader.xhr.setRequestHeader("X-CSRFToken", csrfToken());
      });
    });
  }
  attach();
})();
