"""A URLconf for the tenancy tests: pages that only echo which tenant they were given."""

from django.http import HttpResponse
from django.urls import include, path

from waterportal.tenants.decorators import tenant_required


@tenant_required
def echo_tenant(request):
    return HttpResponse(request.tenant.slug, content_type="text/plain")


urlpatterns = [
    path("echo", echo_tenant),
    # base.html links to the login and logout pages, the help, the member's menu (home,
    # usage and charges, notices) and the footer's pages of the town.
    path("", include("waterportal.accounts.urls")),
    path("", include("waterportal.helpcentre.urls")),
    path("", include("waterportal.billing.urls")),
    path("", include("waterportal.notices.urls")),
    path("", include("waterportal.tenants.urls")),
]
