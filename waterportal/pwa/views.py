"""The portal as an app on the resident's home screen: the town's manifest and icons, the
service worker, the page it shows offline, and the page that explains installing.

The manifest and the icons name their town in their address (``/town/<slug>/…``, which
never chooses a town for the browser nor sets a cookie): a browser fetches a manifest
without cookies, so a town read from the session could not be the right one.

The service worker is one for the whole site (a browser keeps one per origin and scope),
so what it keeps is the same for every town and every resident: the shell's static files
and the offline page, in both languages. It never stores anything else (see sw.js).
"""

import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET, require_safe

from waterportal.pwa.icons import ICONS, draw_icon, icon_key
from waterportal.tenants.decorators import tenant_required
from waterportal.tenants.models import Tenant, TenantLogo

# The address has the icon's key (its logo and colour): a year, like the logo.
ICON_CACHE = "public, max-age=31536000, immutable"
# A new name or colour reaches installed apps within the hour.
MANIFEST_CACHE = "public, max-age=3600"
# The shell: static files that hold nothing of any resident. The service worker stores
# these and nothing else.
SHELL_STATIC = ["css/tokens.css", "css/portal.css", "js/once.js", "js/pwa.js", "favicon.svg"]


def _published_town(slug: str) -> Tenant:
    """The town the address names, if residents may see it; the same 404 otherwise."""
    tenant = Tenant.objects.filter(slug=slug, is_active=True, published_at__isnull=False).first()
    if tenant is None:
        raise Http404
    return tenant


def app_name(tenant: Tenant) -> tuple[str, str]:
    """The app's name, and its short name under the home-screen icon (at most 12 letters):
    the town's name alone, the same in every language, beside the water drop."""
    return f"{tenant.name} 水道ポータル", tenant.name[:12]


def icon_url(tenant: Tenant, kind: str) -> str:
    return reverse("pwa:icon", args=[tenant.slug, icon_key(tenant), kind])


@require_safe
def manifest(request, slug: str):
    """The town's web app manifest: its name, colour and icons; opening it starts at the
    town's home page, so the installed app keeps its town."""
    tenant = _published_town(slug)
    name, short_name = app_name(tenant)
    home = f"{reverse('billing:home')}?tenant={tenant.slug}"
    icons = [
        {"src": icon_url(tenant, kind), "sizes": f"{icon.size}x{icon.size}", "type": "image/png"}
        | {"purpose": "maskable" if icon.maskable else "any"}
        for kind, icon in ICONS.items()
        if kind != "apple-touch-icon"
    ]
    document = {
        "id": home,
        "name": name,
        "short_name": short_name,
        "description": "水道の使用量・料金・お知らせを確かめられます。",
        "lang": "ja",
        "dir": "ltr",
        "start_url": home,
        # Every page of a town is under "/" (the town is in the query), so the app's
        # scope is the whole site; the start address keeps the town.
        "scope": "/",
        "display": "standalone",
        "theme_color": tenant.accent_colour,
        "background_color": tenant.accent_colour,
        "icons": icons,
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = MANIFEST_CACHE
    return response


@require_GET
def icon(request, slug: str, key: str, kind: str):
    """One icon of the town, drawn from its current logo and colour; only the current
    key answers (an old address is a 404, as for the logo)."""
    tenant = _published_town(slug)
    shape = ICONS.get(kind)
    if shape is None or key != icon_key(tenant):
        raise Http404
    logo = None
    if tenant.logo_hash:
        stored = TenantLogo.objects.filter(tenant=tenant).first()
        logo = bytes(stored.content) if stored else None
    response = HttpResponse(draw_icon(shape, tenant.accent_colour, logo), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = ICON_CACHE
    return response


def shell_urls() -> list[str]:
    """What the service worker stores: the offline page and the shell's static files."""
    return [reverse("pwa:offline"), *(static(name) for name in SHELL_STATIC)]


def _shell_version() -> str:
    """Changes whenever the worker or anything it stores changes: a deploy that changes
    them installs a new worker, which drops the old cache (sw.js, ``activate``)."""
    digest = hashlib.sha256()
    template = get_template("pwa/sw.js")
    digest.update(template.template.source.encode())  # type: ignore[attr-defined]
    digest.update(render_to_string("pwa/offline.html", request=None).encode())
    for name in SHELL_STATIC:
        digest.update(static(name).encode())
        path = finders.find(name)
        if isinstance(path, str):
            with open(path, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()[:16]


@require_safe
def service_worker(request):
    """The service worker, served from the site's root so that its scope is every page.
    ``no-cache``: the browser asks for it again at every check, so a deploy reaches it;
    its ETag (the version) lets an unchanged worker answer 304 without a body."""
    version = _shell_version()
    etag = quote_etag(version)
    unchanged = get_conditional_response(request, etag=etag)
    if unchanged is not None:
        unchanged["Cache-Control"] = "no-cache"
        return unchanged
    body = render_to_string(
        "pwa/sw.js",
        {
            "version": version,
            "offline_url": json.dumps(reverse("pwa:offline")),
            "shell": json.dumps(shell_urls()),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    return response


@require_safe
def offline(request):
    """What the service worker shows when a page cannot be fetched. The same for every
    town and language (it is stored once for the site): Japanese with English."""
    response = render(request, "pwa/offline.html")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
@tenant_required
def app(request):
    """「アプリとして使う」: how to put the portal on the home screen, for everyone."""
    tenant = request.tenant
    name, short_name = app_name(tenant)
    return render(
        request,
        "pwa/app.html",
        {"short_name": short_name, "icon_src": icon_url(tenant, "192")},
    )
