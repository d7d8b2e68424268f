"""Resolve the municipality of each request once, and scope every query to it.

The tenant comes from ``?tenant=SLUG`` (the address printed on the town's guide), then
from the session, then from the signed-in member, then from the long-lived ``wp_tenant``
cookie. Queries on tenant-owned models run
inside ``django_scopes.scope(tenant=...)`` so that a query that forgets its tenant raises
instead of leaking another municipality's data.

An unknown, malformed or inactive slug gets the same "which municipality?" page, which
names no municipality, so the portal never tells which towns it serves.

A town not yet published by its 管理者 shows residents a 準備中 page on every resident
address (no registration, no login); its console (``/staff/``) and its logo work, so
its staff can prepare it and publish it.
"""

import re

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django_scopes import scope, scopes_disabled

from waterportal.lib.problems import problem_response
from waterportal.tenants.lookup import active_tenant, find_active_tenant

SESSION_KEY = "tenant_id"
# The last town opened in this browser, kept apart from the session: a session ends at
# logout, after 30 idle minutes or when a password changes, and the resident must then
# still land on their own town's login page rather than a "which town?" page.
COOKIE = "wp_tenant"
COOKIE_AGE = 400 * 24 * 60 * 60
# The logo, the app's manifest and icons (``/town/``) name their town in their address
# and are cached by proxies: they must never choose a town for the browser nor carry a
# cookie. The service worker and its offline page are one for the whole site, every town.
# The probes and the metrics belong to no town: they never read a session or set a cookie.
UNSCOPED_PREFIXES = (
    "/admin/",
    "/static/",
    "/dev/",
    "/town/",
    "/sw.js",
    "/offline",
    "/healthz",
    "/readyz",
    "/metrics",
)
# The JSON API names its town in the path (``/api/v1/towns/<slug>/…``) and nowhere else:
# no session, no cookie, no ``?tenant=``. Its document and its docs have no town.
API_PREFIX = "/api/"
API_TOWN = re.compile(r"^/api/v1/towns/(?P<slug>[^/]+)/")
# What an unpublished town still answers: its console, the language switch.
BEFORE_PUBLISHING_PREFIXES = ("/staff/", "/i18n/", "/healthz")


def unknown_tenant(request, status=404):
    return render(request, "tenants/unknown.html", status=status)


def preparing(request):
    # Not a 503: every resident's visit would be logged as a server error. Never kept by
    # a browser or a proxy, so the real page shows on the day the town opens.
    response = render(request, "tenants/preparing.html")
    add_never_cache_headers(response)
    return response


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            return self.api(request)
        if request.path.startswith(UNSCOPED_PREFIXES):
            request.tenant = None
            with scopes_disabled():
                return self.get_response(request)

        slug = request.GET.get("tenant")
        tenant = None
        if slug is not None:
            tenant = find_active_tenant(slug)
            if tenant is None:
                request.tenant = None
                return unknown_tenant(request)
            if request.session.get(SESSION_KEY) != tenant.pk:
                request.session[SESSION_KEY] = tenant.pk
        else:
            tenant_id = request.session.get(SESSION_KEY)
            if tenant_id is not None:
                tenant = active_tenant(tenant_id)
            if tenant is None and request.user.is_authenticated and request.user.tenant_id:
                tenant = active_tenant(request.user.tenant_id)
            if tenant is None and request.COOKIES.get(COOKIE):
                tenant = find_active_tenant(request.COOKIES[COOKIE])
                if tenant is not None:
                    request.session[SESSION_KEY] = tenant.pk

        user = request.user
        if user.is_authenticated and user.tenant_id and tenant and user.tenant_id != tenant.pk:
            # A member of one municipality never acts inside another: opening another
            # town's address signs them out (each town is a separate account).
            logout(request)
            request.session[SESSION_KEY] = tenant.pk

        request.tenant = tenant
        with scope(tenant=tenant):
            if (
                tenant is not None
                and not tenant.is_published
                and not request.path.startswith(BEFORE_PUBLISHING_PREFIXES)
            ):
                response = preparing(request)
            else:
                response = self.get_response(request)
        if tenant is not None and request.COOKIES.get(COOKIE) != tenant.slug:
            response.set_cookie(
                COOKIE,
                tenant.slug,
                max_age=COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def api(self, request):
        """The API's town, from its path; scoped to it like every page. Anything else under
        ``/api/`` (the OpenAPI document) reads no town's rows."""
        match = API_TOWN.match(request.path)
        if match is None:
            request.tenant = None
            with scope(tenant=None):
                return self.get_response(request)
        tenant = find_active_tenant(match["slug"])
        if tenant is None or not tenant.is_published:
            # The same answer for a town that does not exist and one not yet open, as the
            # pages' "which town?" page: the API never tells which towns it serves.
            request.tenant = None
            return problem_response(
                404,
                "town_not_found",
                gettext("自治体が見つかりません。"),
                gettext("アドレスの自治体名（towns/ の後）を確かめてください。"),
            )
        request.tenant = tenant
        with scope(tenant=tenant):
            return self.get_response(request)
