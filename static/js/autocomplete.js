// Search fields (grants/autocomplete): type, then pick a suggestion with the mouse or the
// keyboard (↓ ↑ to move, Entrée to choose, Échap to close). The hidden input carries the pk;
// the server checks it against what the user may see.
(function () {
  "use strict";

  function setup(root) {
    var hidden = root.querySelector("[data-autocomplete-value]");
    var input = root.querySelector("[data-autocomplete-input]");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector("[role=status]");
    var url = root.getAttribute("data-autocomplete-url");
    var params = (root.getAttribute("data-autocomplete-params") || "").split(" ").filter(Boolean);
    var active = -1;
    var timer = null;
    var chosenText = input.value;
    var request = 0;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(item) {
      hidden.value = item.getAttribute("data-value");
      input.value = chosenText = item.textContent;
      close();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(results) {
      list.textContent = "";
      results.forEach(function (result, i) {
        var item = document.createElement("li");
        item.id = input.id + "_option_" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-value", result.id);
        item.textContent = result.text;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
          choose(item);
        });
        list.appendChild(item);
      });
      status.textContent = results.length
        ? results.length + " suggestion(s) : ↓ pour parcourir, Entrée pour choisir."
        : "Aucun résultat.";
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        active = -1;
      } else {
        close();
      }
    }

    function search() {
      var query = input.value.trim();
      if (query.length < 2) {
        close();
        return;
      }
      var search = new URLSearchParams({ q: query });
      params.forEach(function (pair) {
        var parts = pair.split("=");
        var other = input.form && input.form.elements.namedItem(parts[1]);
        if (other && other.value) search.set(parts[0], other.value);
      });
      var ticket = ++request;
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + search.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (ticket === request) render(data.results || []);
        })
        .catch(function () {
          status.textContent = "La recherche a échoué : réessayez.";
        });
    }

    input.addEventListener("input", function () {
      if (input.value !== chosenText) hidden.value = ""; // the text no longer names the choice
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) highlight(active + 1);
        else search();
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 100);
      if (!input.value.trim()) {
        hidden.value = "";
        chosenText = "";
      }
    });
  }

  /* Sets up the search fields under root (the document, or an HTML fragment swapped in later,
     e.g. the convention form's grants and budgets); a field is set up once. */
  function init(root) {
    (root && root.querySelectorAll ? root : document)
      .querySelectorAll(".autocomplete[data-autocomplete-url]")
      .forEach(function (field) {
        if (field.hasAttribute("data-autocomplete-ready")) return;
        field.setAttribute("data-autocomplete-ready", "");
        setup(field);
      });
  }
  window.setupAutocomplete = init;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else init(document);
})();
