"""The portal's URLconf plus what the tests need: the development mailbox whatever DEBUG
was at import, a page that fails, and a form that checks its CSRF token."""

from django.http import HttpResponse
from django.urls import path

from waterportal import urls as portal_urls
from waterportal import views


def fail(request):
    raise RuntimeError("a failure inside a page")


def form(request):
    return HttpResponse("受け付けました")


urlpatterns = [
    path("dev/mailbox/", views.dev_mailbox, name="dev_mailbox"),
    path("dev/mailbox/<str:name>", views.dev_mailbox_message, name="dev_mailbox_message"),
    path("test/fail", fail),
    path("test/form", form),
    *portal_urls.urlpatterns,
]

handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
