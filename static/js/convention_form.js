/* Convention form: when the association changes, load its grants and forecast budgets (an HTML
   fragment from the server, scoped to what the user may see) in place of the current lists.
   Without it, the lists fill in after the first save attempt. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-choices-url]");
  if (!form) return;
  /* The association is a search field (static/js/autocomplete.js): its hidden input carries the
     pk and fires "change" once a suggestion is chosen. A plain <select> fires it too. */
  var select = form.querySelector("input[type=hidden][name=association], select[name=association]");
  if (!select) return;
  function load() {
    var target = document.getElementById("convention-choices");
    if (!target) return;
    if (!select.value) return;
    target.setAttribute("aria-busy", "true");
    var url = form.getAttribute("data-choices-url") + "?association=" + encodeURIComponent(select.value);
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#convention-choices");
        if (!fresh) return;
        target.replaceWith(fresh);
        if (window.setupAutocomplete) window.setupAutocomplete(fresh); // the budgets' field
      })
      .catch(function () {
        target.removeAttribute("aria-busy");
      });
  }
  select.addEventListener("change", load);
  /* An association chosen before this script ran (or kept by the browser on "back"). */
  var current = document.getElementById("convention-choices");
  if (select.value && current && !current.querySelector("input[name=grants]")) load();
})();
