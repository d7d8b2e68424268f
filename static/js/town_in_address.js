// The town in the address bar: a page a member opens whose address does not name it gets
// ?tenant=<slug> added in place (no new request), so a bookmark or a shared address of
// it opens that town's login in a browser that has never seen the town, and then this
// page. In place rather than by a redirect from the server: every link on the portal
// would otherwise cost a second round trip, on the slow phone connections many
// residents have.
// A file of its own, not inline: the Content-Security-Policy runs no inline script.
(function () {
  var town = document.body.dataset.town;
  if (!town || !window.history.replaceState) {
    return;
  }
  var address = new URL(window.location.href);
  if (address.searchParams.has("tenant")) {
    return;
  }
  address.searchParams.set("tenant", town);
  window.history.replaceState(window.history.state, "", address.toString());
})();
