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

  // 复制链接: the address to the clipboard (the field stays for copying by hand); 分享到… where
  // the phone offers its own sharing.
  var status = document.querySelector(".copy-status");
  function say(text) { if (status) status.textContent = text; }
  document.querySelectorAll(".js-copy-link").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { say("链接已复制，可以粘贴发送给他人。"); };
      var byHand = function () {
        field.focus();
        field.select();
        try { if (document.execCommand("copy")) { done(); return; } } catch (e) { /* not allowed */ }
        say("请长按或右键复制上面的地址。");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, byHand);
      } else {
        byHand();
      }
    });
  });
  document.querySelectorAll(".js-share").forEach(function (button) {
    if (!navigator.share) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ title: document.title, url: document.getElementById("share-url").value })
        .catch(function () { /* dismissed */ });
    });
  });

  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
