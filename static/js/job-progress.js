/* Job page: polls the job's JSON state every 2 seconds, shows the progress, and reloads the page
   once the job has finished (the server then shows the result or the error). No inline script:
   the page works under a strict Content-Security-Policy; without JavaScript a <noscript> refresh
   does the same. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var statusLabel = box.querySelector('[data-job-field="status_label"]');
  var progressText = box.querySelector('[data-job-field="progress_text"]');
  var delay = 2000;

  function number(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  }

  function show(state) {
    if (statusLabel) statusLabel.textContent = state.status_label;
    if (bar) {
      bar.value = state.percent;
      bar.textContent = state.percent + " %";
    }
    if (progressText) {
      if (state.status === "attente") progressText.textContent = "En attente de traitement…";
      else if (state.total) {
        progressText.textContent =
          number(state.done) + " sur " + number(state.total) + " (" + state.percent + " %)";
      } else progressText.textContent = "En cours…";
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        if (state.finished) {
          window.location.reload();
          return;
        }
        show(state);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
