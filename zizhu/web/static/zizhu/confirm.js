// Irreversible actions ask first: a form (or its submit button) with data-confirm="…" is sent
// only when the user agrees. No inline script: the page's Content-Security-Policy forbids it.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
