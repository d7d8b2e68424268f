// Registers the portal's service worker (the app shell and the offline page; see
// templates/pwa/sw.js). A file of its own: the Content-Security-Policy runs no inline
// script. The worker's address is on this script's tag (data-worker).
(function () {
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) {
    return;
  }
  var worker = script.dataset.worker;

  // Chrome on Android offers to install a page it finds installable. On the
  // 「アプリとして使う」 page that offer becomes one large button (data-install-app, in
  // data-install-offer), shown only when the browser can install; elsewhere the
  // browser's own menu stays as it is.
  var offer = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    var box = document.querySelector("[data-install-offer]");
    if (!box) {
      return;
    }
    event.preventDefault();
    offer = event;
    box.hidden = false;
  });
  document.addEventListener("click", function (event) {
    if (!offer || !event.target.closest("[data-install-app]")) {
      return;
    }
    var box = document.querySelector("[data-install-offer]");
    offer.prompt();
    offer.userChoice.then(function () {
      box.hidden = true;
      offer = null;
    });
  });
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(worker, { scope: "/" }).catch(function () {
      // No worker (a private window, an old browser): the portal works as a website.
    });
  });
})();
