/* The rich-text editor's uploads carry the admin form's CSRF token, as every admin POST does. */
(function () {
  "use strict";
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function sendToken(editor) {
    editor.on("fileUploadRequest", function (upload) {
      upload.data.fileLoader.xhr.setRequestHeader("X-CSRFToken", csrfToken());
    });
  }
  function attach() {
    if (!window.CKEDITOR) {
      window.setTimeout(attach, 50);
      return;
    }
    // Editors made before this ran (the scripts' order is Django's to choose), and those after.
    Object.keys(window.CKEDITOR.instances).forEach(function (name) {
      sendToken(window.CKEDITOR.instances[name]);
    });
    window.CKEDITOR.on("instanceCreated", function (event) {
      sendToken(event.editor);
    });
  }
  attach();
})();
