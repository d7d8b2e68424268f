// Registers the portal's service worker (the app shell and the offline page; see
// templates/pwa/sw.js). A file of its own: the Content-Security-Policy runs no inline
// script. The worker's address is on this script's tag (data-worker).
(function () {
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) {
    return;
  }
  var worker = script.dataset.worker;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(worker, { scope: "/" }).catch(function () {
      // No worker (a private window, an old browser): the portal works as a website.
    });
  });
})();
