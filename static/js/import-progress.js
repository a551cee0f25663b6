// The progress bar of a large import (cases/templates/cases/import/progress.html).
// Polls the import's progress address (ids only, no personal data) every two seconds and opens
// the import's page when the worker has finished. No inline script: the CSP forbids it.
(function () {
  "use strict";

  var box = document.querySelector("[data-fss-import-progress]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-fss-import-progress");
  var next = box.getAttribute("data-fss-import-next");
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-fss-import-label]");
  var status = box.querySelector("[data-fss-import-status]");

  function poll() {
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        label.textContent =
          data.status_label + ": " + data.processed + " of " + data.total + " rows (" + data.percent + "%)";
        if (data.done) {
          status.textContent = "Finished. Opening the results.";
          window.location.assign(data.url || next);
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        status.textContent = "The progress could not be checked. Use Refresh to try again.";
      });
  }

  window.setTimeout(poll, 1000);
})();
