/* Autosave of a request's step: each change (and each pause in typing) posts the form in the
   background to the step's JSON endpoint. What is typed is also kept in localStorage until the
   server saved it, so a closed tab, a lost connection or an expired session (403: « Vous avez
   été déconnecté ») loses nothing: on the next visit the unsaved values come back and are sent.
   Without JavaScript, « Enregistrer et continuer » saves the same way. */
(function () {
  "use strict";
  var form = document.getElementById("request-step-form");
  if (!form || !window.fetch || !window.FormData) return;
  var url = form.getAttribute("data-autosave-url");
  var key = form.getAttribute("data-storage-key");
  var status = form.querySelector("[data-autosave-status]");
  var timer = null;
  var sending = false;
  var again = false;

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.className = "autosave-status" + (isError ? " error" : "");
  }

  function values() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") return;
      data[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return data;
  }

  function store() {
    try { window.localStorage.setItem(key, JSON.stringify(values())); } catch (e) { /* full */ }
  }

  function forget() {
    try { window.localStorage.removeItem(key); } catch (e) { /* unavailable */ }
  }

  function showErrors(errors) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-autosave-error]"), function (p) {
      p.parentNode.removeChild(p);
    });
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.elements[name];
      if (!field || !field.parentNode) return;
      var p = document.createElement("p");
      p.className = "error";
      p.setAttribute("data-autosave-error", name);
      p.textContent = errors[name].join(" ");
      field.parentNode.appendChild(p);
      field.setAttribute("aria-invalid", "true");
    });
  }

  function save() {
    timer = null;
    if (sending) { again = true; return; }
    sending = true;
    var sent = JSON.stringify(values());
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (response.status === 403) {
          say("Vous avez été déconnecté : reconnectez-vous, rien n'est perdu.", true);
          return null;
        }
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (result) {
        if (!result) return;
        if (JSON.stringify(values()) === sent) forget();
        showErrors(result.errors);
        var count = Object.keys(result.errors || {}).length;
        say(count ? "Enregistré à " + result.saved_at + " ; " + count +
          " valeur(s) à corriger, conservée(s) telle(s) que saisie(s)." :
          "Enregistré à " + result.saved_at + ".", count > 0);
      })
      .catch(function () {
        say("Pas de connexion : ce que vous tapez est gardé dans ce navigateur et sera " +
          "enregistré dès le retour de la connexion.", true);
      })
      .then(function () {
        sending = false;
        if (again) { again = false; save(); }
      });
  }

  function later(delay) {
    store();
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("input", function () { later(1500); });
  form.addEventListener("change", function () { later(200); });
  form.addEventListener("submit", function () { store(); });

  // Unsaved values from a previous visit (or before a disconnection) come back and are sent.
  var kept = null;
  try { kept = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
  if (kept) {
    var changed = false;
    Object.keys(kept).forEach(function (name) {
      var field = form.elements[name];
      if (!field || field.type === "hidden" || field.tagName === undefined) return;
      if (field.type === "checkbox") {
        if (field.checked !== kept[name]) { field.checked = kept[name]; changed = true; }
      } else if (field.value !== kept[name]) {
        field.value = kept[name];
        changed = true;
      }
    });
    if (changed) {
      say("Des valeurs non enregistrées lors de votre dernière visite ont été reprises.", false);
      save();
    } else {
      forget();
    }
  }
})();
