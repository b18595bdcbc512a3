(function () {
  var form = document.getElementById("attendance-form");
  if (!form) { return; }
  var inOffice = parseInt(form.getAttribute("data-in-office"), 10);
  function refresh() {
    var counts = {present: 0, represente: 0, excuse: 0, absent: 0};
    form.querySelectorAll("select[name^=status_]").forEach(function (select) {
      counts[select.value] += 1;
      var proxy = form.querySelector("select[name=proxy_" + select.name.slice(7) + "]");
      var represented = select.value === "represente";
      proxy.disabled = !represented;
      if (!represented) { proxy.value = ""; }
    });
    Object.keys(counts).forEach(function (key) { form.querySelector("[data-count=" + key + "]").textContent = counts[key]; });
    form.querySelector("[data-count=votes]").textContent = counts.present + counts.represente;
    var needed = Math.floor(inOffice / 2) + 1;
    form.querySelector("[data-count=quorum]").textContent = (counts.present >= needed ? "atteint" : "non atteint") + " (" + counts.present + " présents, " + needed + " requis)";
  }
  form.addEventListener("change", refresh);
  refresh();
})();
