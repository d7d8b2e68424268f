// The portal's service worker: the app shell for when the network is gone, and the
// push notifications a member turned on (「この端末で通知を受け取る」).
//
// It stores only SHELL (static files and the offline page, the same for every resident)
// and never a page, statement, CSV or answer with anyone's data: a page is always
// fetched from the network, and when that fails the offline page is shown instead.
// So a logout has nothing to clear. A new deploy of any of SHELL gives a new VERSION,
// hence a new worker, which deletes the caches of the old ones.
"use strict";

const CACHE_PREFIX = "waterportal-shell-";
const CACHE = CACHE_PREFIX + "{{ version }}";
const OFFLINE_URL = {{ offline_url|safe }};
const SHELL = {{ shell|safe }};

function shellPath(url) {
  return url.origin === self.location.origin && SHELL.includes(url.pathname + url.search);
}

self.addEventListener("install", function (event) {
  // Without cookies: what is stored was never fetched as anyone.
  const requests = SHELL.map(function (url) {
    return new Request(url, { cache: "reload", credentials: "omit" });
  });
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(requests); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names
          .filter(function (name) { return name.startsWith(CACHE_PREFIX) && name !== CACHE; })
          .map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    // Network only: a page may be personal. Offline, the offline page in its place.
    event.respondWith(
      fetch(request).catch(function () {
        return caches.open(CACHE)
          .then(function (cache) { return cache.match(OFFLINE_URL); })
          .then(function (page) { return page || Response.error(); });
      })
    );
    return;
  }
  const url = new URL(request.url);
  if (shellPath(url)) {
    event.respondWith(
      caches.open(CACHE)
        .then(function (cache) { return cache.match(url.pathname + url.search); })
        .then(function (stored) { return stored || fetch(request); })
    );
  }
  // Everything else goes to the network as if there were no worker, and is not stored.
});

// A push message (waterportal.devices.push): a title, a line and a link of the portal,
// the same for every member of a town, never an amount or a name.
self.addEventListener("push", function (event) {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  event.waitUntil(
    self.registration.showNotification(message.title || "水道ポータル", {
      body: message.body || "",
      icon: message.icon,
      tag: message.tag,
      lang: "ja",
      data: { url: message.url || "/" }
    })
  );
});

// Opening a notification: its page of the portal, in a window already open on the portal
// if there is one. Only this site's addresses: a message can open nothing else.
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/",
    self.location.origin);
  if (target.origin !== self.location.origin) {
    return;
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true })
      .then(function (windows) {
        for (const client of windows) {
          if (new URL(client.url).origin === self.location.origin && "focus" in client) {
            // navigate() works only on a page this worker controls: else a new window.
            return client.navigate(target.href)
              .then(function (page) { return (page || client).focus(); })
              .catch(function () { return self.clients.openWindow(target.href); });
          }
        }
        return self.clients.openWindow(target.href);
      })
  );
});
