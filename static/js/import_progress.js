// The import page's progress bar: asks the status endpoint every 1.5 seconds and, once
// the import has ended, reloads the page to show its result and report. Without this
// script the page still says the state, and its link reloads it.
(function () {
  var box = document.querySelector("[data-import-status]");
  if (!box) {
    return;
  }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  var url = box.getAttribute("data-import-status");

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
        if (text.textContent !== status.text) {
          text.textContent = status.text;
        }
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1500);
})();
