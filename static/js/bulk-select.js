// « Tout cocher » on a list with bulk actions: a checkbox [data-select-all] ticks or unticks
// every checkbox named by its value (e.g. "ids") in the same form. Without JavaScript the box
// stays hidden and each row is ticked by hand.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var form = master.form;
    var name = master.getAttribute("data-select-all");
    master.hidden = false;
    master.addEventListener("change", function () {
      form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = master.checked;
      });
    });
  });
})();
