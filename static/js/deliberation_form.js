(function () {
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
