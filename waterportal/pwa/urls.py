from django.urls import path

from waterportal.pwa import views

app_name = "pwa"

urlpatterns = [
    path("town/<slug:slug>/manifest.webmanifest", views.manifest, name="manifest"),
    path("town/<slug:slug>/icon/<str:key>/<str:kind>.png", views.icon, name="icon"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline", views.offline, name="offline"),
    path("app", views.app, name="app"),
]
