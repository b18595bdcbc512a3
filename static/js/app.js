/* Behaviour shared by every page (no inline script: the pages run under a strict CSP).
   - The menu button below 768 px opens and closes the main navigation (aria-expanded).
   - A form marked data-once (long actions such as PDF generation) cannot be sent twice: its
     buttons are disabled on submit and say that the work is in progress. The server refuses a
     second run as well. */
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    var nav = toggle.closest(".main-nav");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      nav.classList.toggle("is-open", !open);
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-once")) return;
    if (form.getAttribute("data-sent") === "1") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    form.setAttribute("aria-busy", "true");
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    Array.prototype.forEach.call(buttons, function (button) {
      var busy = button.getAttribute("data-busy-label");
      if (busy) button.textContent = busy;
      /* Disabled after the submit event, so that the button's own value is still sent. */
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
