// Award letter progress (templates/admin/applications/award/_progress.html): every element
// marked data-letter-progress polls its JSON endpoint and updates its <progress> bar and counts
// until no letter is pending or rendering. No inline script: the CSP allows only this file.
document.addEventListener("DOMContentLoaded", function () {
  var INTERVAL_MS = 2000;

  function update(box, progress) {
    var bar = box.querySelector("progress");
    bar.max = Math.max(progress.total, 1);
    bar.value = progress.ready;
    bar.textContent = progress.label;
    box.querySelectorAll("[data-progress-field]").forEach(function (field) {
      var value = progress[field.getAttribute("data-progress-field")];
      if (value !== undefined) {
        field.textContent = value;
      }
    });
    box.setAttribute("data-done", progress.done ? "true" : "false");
  }

  function poll(box) {
    fetch(box.getAttribute("data-letter-progress"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress answered " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        update(box, progress);
        if (!progress.done) {
          window.setTimeout(poll, INTERVAL_MS, box);
        }
      })
      .catch(function () {
        // Signed out or the server restarted: stop; a reload shows the numbers again.
      });
  }

  document.querySelectorAll("[data-letter-progress]").forEach(function (box) {
    if (box.getAttribute("data-done") !== "true") {
      window.setTimeout(poll, INTERVAL_MS, box);
    }
  });
});
