from django.urls import path

from waterportal.tenants import views

app_name = "tenants"

urlpatterns = [
    path("town/<slug:slug>/logo/<str:digest>", views.logo, name="logo"),
    path("town/<slug:slug>/slip-sample/<str:digest>", views.slip_sample, name="slip_sample"),
    path("terms", views.terms, name="terms"),
    path("privacy", views.privacy, name="privacy"),
    path("accessibility", views.accessibility, name="accessibility"),
]
