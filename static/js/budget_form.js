/* Budget entry form: live totals, French amounts, keyboard moves, add and remove lines.
   Works without it too: the server parses, checks and totals everything again. */
(function () {
  "use strict";
  var form = document.getElementById("budget-form");
  if (!form) return;

  var NBSP = "\u00a0";

  /* "1 234,56", "1234.56", "1.234,56", "66 000 €" -> cents (integer), "" -> 0, invalid -> null.
     Mirrors parse_amount() in associations/budget_forms.py. */
  function parseCents(text) {
    var value = String(text || "").replace(/€/g, "").replace(/[\s\u00a0\u202f]/g, "");
    if (!value) return 0;
    if (value.indexOf(",") >= 0 && value.indexOf(".") >= 0) {
      var decimalMark = value.lastIndexOf(",") > value.lastIndexOf(".") ? "," : ".";
      var thousands = decimalMark === "," ? "." : ",";
      value = value.split(thousands).join("").replace(decimalMark, ".");
    } else if (value.indexOf(",") >= 0) {
      if (value.split(",").length > 2) return null;
      value = value.replace(",", ".");
    } else if (value.split(".").length > 2 && /^-?\d{1,3}(\.\d{3})+$/.test(value)) {
      value = value.split(".").join("");
    }
    var match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value);
    if (!match) return null;
    var cents = parseInt(match[2], 10) * 100 + parseInt(((match[3] || "") + "00").slice(0, 2), 10);
    return match[1] ? -cents : cents;
  }

  function formatCents(cents) {
    var sign = cents < 0 ? "-" : "";
    cents = Math.abs(cents);
    var euros = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
    var rest = String(cents % 100);
    if (rest.length < 2) rest = "0" + rest;
    return sign + euros + "," + rest + NBSP + "€";
  }

  function rowIsActive(row) {
    var remove = row.querySelector('input[name$="-DELETE"]');
    return !(remove && remove.checked);
  }

  function recompute() {
    var totals = { charge: 0, produit: 0, emploi_contribution: 0, contribution: 0 };
    var chapters = {};
    form.querySelectorAll("table.budget-lines").forEach(function (table) {
      var side = table.getAttribute("data-side");
      table.querySelectorAll("tbody[data-chapter]").forEach(function (body) {
        var chapter = body.getAttribute("data-chapter");
        chapters[chapter] = 0;
        body.querySelectorAll("tr.line-row").forEach(function (row) {
          var input = row.querySelector("input.amount-input");
          if (!input) return;
          var cents = parseCents(input.value);
          var invalid = cents === null || cents < 0;
          input.classList.toggle("is-invalid", invalid);
          if (invalid) input.setAttribute("aria-invalid", "true");
          else input.removeAttribute("aria-invalid");
          row.classList.toggle("is-removed", !rowIsActive(row));
          if (invalid || !rowIsActive(row)) return;
          chapters[chapter] += cents;
          totals[side] += cents;
        });
      });
    });
    Object.keys(chapters).forEach(function (chapter) {
      var out = form.querySelector('[data-chapter-total="' + chapter + '"]');
      if (out) out.textContent = formatCents(chapters[chapter]);
    });
    Object.keys(totals).forEach(function (side) {
      var out = form.querySelector('[data-total="' + side + '"]');
      if (out) out.textContent = formatCents(totals[side]);
    });
    var gap = totals.charge - totals.produit;
    var gapOut = form.querySelector('[data-total="gap"]');
    gapOut.textContent = gap === 0 ? "équilibré" : formatCents(Math.abs(gap));
    gapOut.className = "badge " + (gap === 0 ? "badge-ok" : "badge-err");
    form.querySelector('[data-total="grand-charges"]').textContent =
      formatCents(totals.charge + totals.emploi_contribution);
    form.querySelector('[data-total="grand-products"]').textContent =
      formatCents(totals.produit + totals.contribution);
  }

  function amountInputs() {
    return Array.prototype.slice.call(form.querySelectorAll("input.amount-input"));
  }

  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);

  /* Enter moves to the next amount instead of submitting; blur tidies a valid amount. */
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || target.tagName !== "INPUT" || target.type === "submit") return;
    event.preventDefault();
    var inputs = amountInputs();
    var index = inputs.indexOf(target);
    var next = index >= 0 ? inputs[index + (event.shiftKey ? -1 : 1)] : null;
    if (next) { next.focus(); next.select(); }
  });
  form.addEventListener("focusout", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("amount-input") || !target.value) return;
    var cents = parseCents(target.value);
    if (cents !== null && cents >= 0) target.value = formatCents(cents).replace(NBSP + "€", "");
  });

  /* A new free line under a chapter, from the <template> holding the formset's empty form. */
  var template = document.getElementById("line-template");
  var totalForms = form.querySelector('input[name$="-TOTAL_FORMS"]');
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-line]");
    if (!button) return;
    var chapter = button.getAttribute("data-add-line");
    var index = parseInt(totalForms.value, 10);
    var holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.querySelector("tr");
    row.querySelector('input[name$="-group"]').value = chapter;
    var account = row.querySelector('input[name$="-account"]');
    account.value = chapter;
    if (!button.getAttribute("data-funders")) {
      row.querySelector("[data-funder-cell]").innerHTML = "";
    } else {
      row.querySelector('input[name$="-is_public"]').checked = true;
    }
    var addRow = button.closest("tr");
    addRow.parentNode.insertBefore(row, addRow);
    totalForms.value = String(index + 1);
    account.focus();
    account.setSelectionRange(account.value.length, account.value.length);
    recompute();
  });

  recompute();
})();
