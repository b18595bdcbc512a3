// Indicator entry form: for values split between women and men, show the computed total
// while typing and say at once when a typed total does not match. The server checks the same
// rule (associations/indicator_checks.py); this is only a convenience.
(function () {
  "use strict";

  function parse(text) {
    var value = (text || "").replace(/[\s\u00a0\u202f%€]/g, "").replace(",", ".");
    if (value === "" || !/^\d+(\.\d+)?$/.test(value)) return null;
    return Number(value);
  }

  function format(number) {
    return number.toLocaleString("fr-FR", { maximumFractionDigits: 2 });
  }

  function update(row) {
    var inputs = row.querySelectorAll("input.indicator-input");
    var women = parse(inputs[0].value);
    var men = parse(inputs[1].value);
    var totalInput = inputs[2];
    var output = row.querySelector("output.indicator-sum");
    var total = parse(totalInput.value);
    output.textContent = "";
    output.classList.remove("error");
    totalInput.placeholder = "";
    if (women === null || men === null) return;
    var sum = Math.round((women + men) * 100) / 100;
    if (total === null) {
      totalInput.placeholder = format(sum);
      output.textContent = "total calculé : " + format(sum);
    } else if (Math.abs(total - sum) > 0.001) {
      output.textContent = "≠ femmes + hommes (" + format(sum) + ")";
      output.classList.add("error");
    }
  }

  document.querySelectorAll("tr.indicator-row[data-gendered]").forEach(function (row) {
    row.addEventListener("input", function () { update(row); });
    update(row);
  });
})();
