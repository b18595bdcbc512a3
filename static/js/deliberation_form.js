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
  var votes = JSON.parse(document.getElementById("session-votes").textContent);
  var session = document.getElementById("id_session");
  var hint = document.getElementById("votes-available");
  var unanimity = document.getElementById("unanimity");
  function update() {
    var info = votes[session.value];
    if (!info) { unanimity.hidden = true; return; }
    hint.textContent = "Séance choisie : " + info.present + " présents + " + info.proxies + " pouvoirs = " + info.votes + " voix disponibles (" + info.in_office + " membres en exercice).";
    unanimity.hidden = info.votes === 0;
  }
  session.addEventListener("change", update);
  unanimity.addEventListener("click", function () {
    var info = votes[session.value];
    document.getElementById("id_votes_for").value = info.votes;
    ["votes_against", "abstentions", "not_participating"].forEach(function (name) { document.getElementById("id_" + name).value = 0; });
  });
  update();
})();
