// "Ajouter une ligne" buttons of Django formsets: clone the empty form, bump TOTAL_FORMS.
(function () {
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    button.addEventListener("click", function () {
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var html = document.getElementById(prefix + "-empty").innerHTML.replace(/__prefix__/g, total.value);
      var rows = document.getElementById(prefix + "-rows");
      rows.insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
      var first = rows.lastElementChild.querySelector("select, textarea, input:not([type=hidden])");
      if (first) { first.focus(); }
    });
  });
})();
