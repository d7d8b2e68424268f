// 「この端末で通知を受け取る」 on the notifications page: asks the browser for permission,
// subscribes through the portal's service worker (registered by pwa.js) with the
// portal's VAPID key, and posts the subscription with the page's form (its CSRF token
// included), so the page that answers is an ordinary page with its message.
// A file of its own: the Content-Security-Policy runs no inline script. The texts it
// shows are in the page (data-push-error), translated with it.
(function () {
  "use strict";
  var form = document.querySelector("[data-push-form]");
  if (!form) {
    return;
  }
  var button = form.querySelector("[data-push-button]");

  function show(kind) {
    var errors = document.querySelectorAll("[data-push-error]");
    for (var i = 0; i < errors.length; i++) {
      errors[i].hidden = errors[i].getAttribute("data-push-error") !== kind;
    }
  }

  function appleDevice() {
    return /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function sameKey(buffer, bytes) {
    if (!buffer) {
      return false;
    }
    var other = new Uint8Array(buffer);
    if (other.length !== bytes.length) {
      return false;
    }
    for (var i = 0; i < bytes.length; i++) {
      if (other[i] !== bytes[i]) {
        return false;
      }
    }
    return true;
  }

  var supported = "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window;
  if (!supported) {
    // Safari on an iPhone offers push only to the portal added to the home screen.
    show(appleDevice() ? "ios" : "unsupported");
    return;
  }
  button.hidden = false;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    show(null);
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          throw new Error("denied");
        }
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var key = keyBytes(form.getAttribute("data-push-key"));
        var manager = registration.pushManager;
        return manager.getSubscription().then(function (existing) {
          // Already on for this browser with the same key: send it again (it may be
          // another member's now, on a shared computer). With an old key, start afresh.
          if (existing && sameKey(existing.options.applicationServerKey, key)) {
            return existing;
          }
          return (existing ? existing.unsubscribe() : Promise.resolve()).then(function () {
            return manager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
          });
        });
      })
      .then(function (subscription) {
        var json = subscription.toJSON();
        form.elements.endpoint.value = json.endpoint;
        form.elements.p256dh.value = json.keys.p256dh;
        form.elements.auth.value = json.keys.auth;
        form.submit();
      })
      .catch(function (error) {
        button.disabled = false;
        var denied = error && (error.message === "denied" || error.name === "NotAllowedError");
        show(denied ? "denied" : "failed");
      });
  });
})();
