import json
import re

import pytest

from waterportal.pwa.views import shell_urls

pytestmark = pytest.mark.django_db

# What the worker may store: the offline page and the shell's static files, nothing else.
ALLOWED = {
    "/offline",
    "/static/css/tokens.css",
    "/static/css/portal.css",
    "/static/js/once.js",
    "/static/js/pwa.js",
    "/static/favicon.svg",
}


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, pattern
    return match.group(1)


def worker(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    return response


def test_the_worker_is_javascript_never_kept_stale(client):
    response = worker(client)
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Served from the root, its scope is already every page.
    assert "Service-Worker-Allowed" not in response


def test_an_unchanged_worker_answers_304(client):
    etag = worker(client)["ETag"]
    response = client.get("/sw.js", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["Cache-Control"] == "no-cache"
    assert client.get("/sw.js", headers={"if-none-match": '"old"'}).status_code == 200


def test_the_worker_stores_only_the_allow_listed_shell(client):
    text = worker(client).content.decode()
    shell = json.loads(found(r"const SHELL = (\[.*?\]);", text))
    assert set(shell) == ALLOWED == set(shell_urls())
    assert json.loads(found(r"const OFFLINE_URL = (\".*?\");", text)) == "/offline"
    # Pages go to the network; only the shell is answered from the cache.
    assert 'request.mode === "navigate"' in text
    assert "cache.put" not in text


def test_the_cache_version_follows_the_shell(client, settings, tmp_path):
    version = r'CACHE = CACHE_PREFIX \+ "([0-9a-f]{16})"'
    first = found(version, worker(client).content.decode())
    assert found(version, worker(client).content.decode()) == first

    # A deploy with another portal.css: a new version, hence a new worker and cache.
    # (Changing STATICFILES_DIRS makes Django forget its finders: setting_changed.)
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "portal.css").write_text("body { color: #000; }")
    settings.STATICFILES_DIRS = [static, *settings.STATICFILES_DIRS]
    assert found(version, worker(client).content.decode()) != first


def test_the_worker_deletes_the_caches_of_older_versions(client):
    text = worker(client).content.decode()
    assert 'addEventListener("activate"' in text
    assert "name.startsWith(CACHE_PREFIX) && name !== CACHE" in text


def test_the_worker_and_the_offline_page_choose_no_town(client, tenant):
    for path in ("/sw.js", "/offline"):
        response = client.get(path)
        assert response.status_code == 200
        assert not response.cookies
        assert "tenant_id" not in client.session


def test_an_unpublished_town_still_gets_the_worker(client, tenant):
    client.get("/login?tenant=oumu")
    tenant.published_at = None
    tenant.save(update_fields=["published_at"])
    assert worker(client).content.decode().startswith("// The portal's service worker")


def test_the_worker_shows_push_messages_and_opens_only_this_site(client):
    text = worker(client).content.decode()
    assert 'addEventListener("push"' in text and "showNotification(" in text
    assert 'addEventListener("notificationclick"' in text
    # A message's link is resolved against the site and opened only if it stays there.
    assert "new URL(" in text and "target.origin !== self.location.origin" in text
    # Still the one worker of the site: the push handlers live in the same file.
    assert text.count("self.addEventListener(") == 5
