// The warning before the idle logout (WCAG 2.2.1): two minutes before the server would
// end a signed-in session, a dialog offers 「ログインを続ける」. It asks the server to
// start the idle clock again (a POST in the background), so the page, and whatever was
// typed on it, stays as it is. When the time has run out, the dialog says so instead and
// offers the login, which comes back to this page.
// The seconds left come from the server with the page (data-session-left on <body>): it
// counts from the last request it noted, which may be a minute before this page.
// A file of its own, not inline: the Content-Security-Policy runs no inline script.
(function () {
  var WARN_SECONDS = 120;
  var body = document.body;
  var dialog = document.querySelector("[data-session-dialog]");
  if (!body.dataset.sessionLeft || !dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var warning = dialog.querySelector("[data-session-warning]");
  var ended = dialog.querySelector("[data-session-ended]");
  var minutes = dialog.querySelector("[data-session-minutes]");
  var failed = dialog.querySelector("[data-session-failed]");
  var button = dialog.querySelector("[data-session-keepalive]");
  var token = dialog.querySelector("input[name=csrfmiddlewaretoken]").value;
  var deadline = 0;
  var timers = [];

  function clear() {
    timers.forEach(function (timer) { clearTimeout(timer); clearInterval(timer); });
    timers = [];
  }

  function secondsLeft() {
    return Math.max(0, (deadline - Date.now()) / 1000);
  }

  function schedule(seconds) {
    clear();
    deadline = Date.now() + seconds * 1000;
    timers.push(setTimeout(warn, Math.max(0, seconds - WARN_SECONDS) * 1000));
    timers.push(setTimeout(end, seconds * 1000));
  }

  function showMinutes() {
    minutes.textContent = String(Math.max(1, Math.ceil(secondsLeft() / 60)));
  }

  function warn() {
    showMinutes();
    timers.push(setInterval(showMinutes, 1000));
    failed.hidden = true;
    if (!dialog.open) {
      dialog.showModal();
    }
    button.focus();
  }

  function end() {
    clear();
    warning.hidden = true;
    ended.hidden = false;
    dialog.setAttribute("aria-labelledby", "session-ended-title");
    if (!dialog.open) {
      dialog.showModal();
    }
    ended.querySelector("a").focus();
  }

  function keepAlive() {
    button.disabled = true;
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.status === 401) {
        end();
        return null;
      }
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json().then(function (answer) {
        dialog.close();
        schedule(answer.seconds_left);
      });
    }).catch(function () {
      failed.hidden = false;
    }).then(function () {
      button.disabled = false;
    });
  }

  button.addEventListener("click", keepAlive);
  // Escape closes a modal dialog: before the end, whoever pressed it is here, as with
  // the button; after it, the dialog stays, so nobody types on into a page that is gone.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (!warning.hidden) {
      keepAlive();
    }
  });
  schedule(Number(body.dataset.sessionLeft));
})();
