from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from waterportal import views
from waterportal.ops import metrics
from waterportal.ops import views as ops_views

urlpatterns = [
    path("", include("waterportal.accounts.urls")),
    path("", include("waterportal.billing.urls")),
    path("", include("waterportal.staff.urls")),
    path("", include("waterportal.notices.urls")),
    path("", include("waterportal.helpcentre.urls")),
    path("", include("waterportal.inquiries.urls")),
    path("", include("waterportal.tenants.urls")),
    path("", include("waterportal.pwa.urls")),
    path("", include("waterportal.api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # set_language: the footer's 「日本語」/「English」 switch.
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    urlpatterns += [
        path("dev/mailbox/", views.dev_mailbox, name="dev_mailbox"),
        path("dev/mailbox/<str:name>", views.dev_mailbox_message, name="dev_mailbox_message"),
    ]

handler404 = "waterportal.views.page_not_found"
handler500 = "waterportal.views.server_error"
