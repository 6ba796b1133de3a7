/* Small progressive enhancements; every page works without them. CSP-safe: no inline code. */
(function () {
  "use strict";

  function toggleFor(box) {
    var target = document.getElementById(box.getAttribute("data-toggle"));
    if (target) target.hidden = !box.checked;
  }

  function init(root) {
    root.querySelectorAll("[data-toggle]").forEach(function (box) {
      toggleFor(box);
      box.addEventListener("change", function () { toggleFor(box); });
    });
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    root.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
    root.querySelectorAll("input[data-no-submit]").forEach(function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          var button = input.parentElement.querySelector("button");
          if (button) button.click();
        }
      });
    });
  }

  // "Use this capacity": fill the capacity field and let the live preview recompute.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-target]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-fill-target"));
    if (!input) return;
    input.value = button.getAttribute("data-fill-value");
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
